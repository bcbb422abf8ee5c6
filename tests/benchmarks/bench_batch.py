"""Batch scoring speed and memory: `predict --batch` against the official client's loops.

Run: python tests/benchmarks/bench_batch.py [--rows 1000000] [--per-row 5000] [--chunk 500]

Starts an emulator in its own process, writes a CSV of ROWS rows, then times whole processes:
- ours: `apinode-admin predict churn score --batch FILE.csv -o csv` (chunks of CHUNK rows,
  several in flight), and its peak memory on ROWS / 10 rows and on ROWS rows (flat: the two
  peaks within 1.5x of each other);
- the official client's `predict_records` called with one row at a time, as people write it,
  timed on PER-ROW rows and extrapolated to ROWS (the per-row cost is constant: a million
  sequential requests would take an hour to measure); target: ours at least 5x faster;
- the official client sending the same CHUNK-row chunks one after the other, on all ROWS rows;
  target: ours no slower (ratio <= 1).
Both baselines read the CSV with the csv module (numbers converted) and write one CSV row per
input row with the prediction and probabilities, as ours does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from apinode_admin_cli.client import APINodeAdminClient

KEY = "bench-batch-admin-key-0123456789"

BASELINE = r"""
import csv, sys, dataikuapi
uri, src, dst = sys.argv[1:4]
chunk, limit = int(sys.argv[4]), int(sys.argv[5])
client = dataikuapi.APINodeClient(uri, "churn")


def typed(value):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def flush(batch, writer):
    items = [{"features": {k: typed(v) for k, v in r.items() if v != ""}} for r in batch]
    answer = client.predict_records("score", items)
    for row, result in zip(batch, answer["results"]):
        probas = result.get("probas", {})
        extra = [result.get("prediction"), probas.get("stay"), probas.get("leave")]
        writer.writerow(list(row.values()) + extra)
    batch.clear()


with open(src, newline="") as f, open(dst, "w", newline="") as out:
    reader, writer = csv.DictReader(f), csv.writer(out)
    writer.writerow(reader.fieldnames + ["prediction", "proba_stay", "proba_leave"])
    batch = []
    for number, row in enumerate(reader):
        if number >= limit:
            break
        batch.append(row)
        if len(batch) == chunk:
            flush(batch, writer)
    if batch:
        flush(batch, writer)
"""


def write_csv(path: Path, rows: int) -> None:
    plans = ("basic", "pro", "team")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("customer_id,tenure,monthly,plan,region\n")
        for i in range(rows):
            handle.write(f"{i},{i % 72},{(i % 997) / 10},{plans[i % 3]},r{i % 17}\n")


def start_node(folder: Path) -> tuple[subprocess.Popen[str], str]:
    cmd = [sys.executable, "-m", "apinode_admin_cli", "emulator", "serve", "--port", "0"]
    cmd += ["--data-dir", str(folder / "node"), "--admin-key", KEY]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    uri = proc.stdout.readline().split()[3]
    archive = folder / "v1.zip"
    manifest = {"version": "v1", "endpoints": [{"id": "score", "classes": ["stay", "leave"]}]}
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
    with APINodeAdminClient(uri, KEY) as admin:
        admin.create_service("churn")
        admin.service("churn").import_generation_from_archive(str(archive))
        admin.service("churn").switch_to_single_generation("v1")
    return proc, uri


def timed(cmd: list[str], env: dict[str, str], stdout: Path) -> tuple[float, int]:
    """Seconds, and the peak resident memory (KiB) of the processes run so far."""
    start = time.perf_counter()
    with open(stdout, "wb") as sink:
        proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.PIPE)
        _, stderr = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {stderr.decode()}")
    return elapsed, _peak_rss_kib()


def _peak_rss_kib() -> int:
    # The children's maximum so far; the emulator, still running, is not counted yet.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def ours(uri: str, src: Path, chunk: int) -> list[str]:
    cmd = [sys.executable, "-m", "apinode_admin_cli", "--uri", uri, "predict", "churn", "score"]
    return cmd + ["--batch", str(src), "--chunk-size", str(chunk), "-o", "csv"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--per-row", type=int, default=5_000)
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("APINODE_ADMIN_")}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        small, big = folder / "small.csv", folder / "big.csv"
        write_csv(small, max(1, args.rows // 10))
        write_csv(big, args.rows)
        script = folder / "baseline.py"
        script.write_text(BASELINE, encoding="utf-8")
        node, uri = start_node(folder)
        try:
            out, sink = folder / "out.csv", folder / "stdout"
            _, small_peak = timed(ours(uri, small, args.chunk), env, out)
            ours_s, big_peak = timed(ours(uri, big, args.chunk), env, out)
            with open(out, encoding="utf-8") as written:
                lines = sum(1 for _ in written)
            assert lines == args.rows + 1, f"ours wrote {lines} lines for {args.rows} rows"
            base = [sys.executable, str(script), uri]
            per_row_s, _ = timed([*base, str(big), str(out), "1", str(args.per_row)], env, sink)
            chunked = [*base, str(big), str(out), str(args.chunk), str(args.rows)]
            chunked_s, _ = timed(chunked, env, sink)
        finally:
            node.terminate()
            node.wait(timeout=30)
    per_row_total = per_row_s * args.rows / args.per_row
    print(f"ours: {args.rows:,} rows in {ours_s:.1f} s ({args.rows / ours_s:,.0f} rows/s)")
    print(f"peak memory: {small_peak / 1024:.0f} MiB on {args.rows // 10:,} rows, "
          f"{big_peak / 1024:.0f} MiB on {args.rows:,} rows")  # fmt: skip
    print(f"official, one row at a time: {per_row_s:.1f} s for {args.per_row:,} rows, "
          f"{per_row_total:.0f} s extrapolated to {args.rows:,}")  # fmt: skip
    print(f"official, chunks of {args.chunk} one after the other: {chunked_s:.1f} s")
    checks = {
        "flat memory (peak ratio <= 1.5)": big_peak / small_peak <= 1.5,
        f"5x faster than one row at a time ({per_row_total / ours_s:.1f}x)": (
            per_row_total / ours_s >= 5
        ),
        f"no slower than sequential chunks (ratio {ours_s / chunked_s:.2f})": ours_s <= chunked_s,
    }
    for name, ok in checks.items():
        print(f"{'ok    ' if ok else 'MISSED'} {name}")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
