"""Work that grows: state apply of many services, CPU per request, listings of 100,000 services.

Run: python tests/benchmarks/bench_scale_work.py [--runs 3] [--apply-runs 1] [--only NAME]

Emulators run in this process, each on a free port:
- apply-100: `state apply` of 100 new services (create, import, switch) on one node at 200 ms
  / the official client doing the same one service after the other (target <= 0.25; the
  reference takes about a minute, hence --apply-runs);
- cpu-request: CPU time per request of our client / the official client's, each in its own
  process, in a fan-out of 2,000 `list_services` (10 nodes x 200, one thread per node, no
  latency); only the fan-out is timed, not the imports (target <= 1.2);
- large-plain, large-tsv: `services list -o plain` / `-o tsv` of 100,000 services / the
  official client fetching them and printing json.dumps of the list (target <= 1.2).
Runs are interleaved pair by pair and the median of the pairwise ratios is reported: the
machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchutil import archive, clean_env, fill, interleaved, timed, tool, verdict

from apinode_admin_cli.emulator import start_emulator

TARGETS = {"apply-100": 0.25, "cpu-request": 1.2, "large-plain": 1.2, "large-tsv": 1.2}

OFFICIAL_APPLY = """
import json, sys, dataikuapi
uri, key, path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
client = dataikuapi.APINodeAdminClient(uri, key)
for i in range(count):
    sid = f"svc-{i:03d}"
    client.create_service(sid)
    client.service(sid).import_generation_from_archive(path)
    client.service(sid).switch_to_single_generation("v1")
"""

FAN_OUT = """
import json, sys, time
from concurrent.futures import ThreadPoolExecutor
which, per_node, nodes = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
if which == "ours":
    from apinode_admin_cli.client import APINodeAdminClient as Client
else:
    from dataikuapi import APINodeAdminClient as Client
clients = [Client(uri, key) for uri, key in nodes]
for client in clients:
    client.list_services()  # connections open, modules loaded: only requests are timed
def work(client):
    for _ in range(per_node):
        client.list_services()
start = time.process_time()
with ThreadPoolExecutor(len(clients)) as pool:
    list(pool.map(work, clients))
print(time.process_time() - start)
"""

LISTING = (
    "import json,os,dataikuapi;"
    "c=dataikuapi.APINodeAdminClient(os.environ['APINODE_ADMIN_URI'],"
    "os.environ['APINODE_ADMIN_API_KEY']);print(json.dumps(c.list_services()))"
)


def apply_100(work: Path, cmd: list[str], runs: int) -> bool:
    path = archive(work, "v1")
    state = work / "hundred.toml"
    state.write_text(
        "".join(
            f'[services.svc-{i:03d}]\ngenerations = {{ v1 = "{path}" }}\nactive = "v1"\n\n'
            for i in range(100)
        )
    )

    def ours() -> float:
        with start_emulator(latency_ms=200) as node:
            env = clean_env(APINODE_ADMIN_URI=node.uri, APINODE_ADMIN_API_KEY=node.admin_key)
            return timed([*cmd, "-q", "state", "apply", "-f", str(state), "-y"], env)

    def theirs() -> float:
        with start_emulator(latency_ms=200) as node:
            line = [sys.executable, "-c", OFFICIAL_APPLY, node.uri, node.admin_key, path, "100"]
            return timed(line, clean_env())

    ratio, mine, reference = interleaved(runs, ours, theirs)
    detail = f"  {mine:.2f} s / {reference:.2f} s"
    return verdict("apply-100", ratio, TARGETS["apply-100"], detail)


def cpu_per_request(runs: int) -> bool:
    nodes = [start_emulator() for _ in range(10)]
    try:
        where = json.dumps([[node.uri, node.admin_key] for node in nodes])

        def cpu(which: str) -> float:
            line = [sys.executable, "-c", FAN_OUT, which, "200", where]
            out = subprocess.run(line, env=clean_env(), capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit(f"the {which} fan-out failed: {out.stderr}")
            return float(out.stdout)

        ratio, mine, reference = interleaved(runs, lambda: cpu("ours"), lambda: cpu("official"))
    finally:
        for node in nodes:
            node.stop()
    detail = f"  {mine / 2:.2f} ms / {reference / 2:.2f} ms per request"
    return verdict("cpu-request", ratio, TARGETS["cpu-request"], detail)


def large(cmd: list[str], runs: int, formats: list[str]) -> bool:
    ok = True
    with start_emulator() as node:
        fill(node, 100_000)
        env = clean_env(APINODE_ADMIN_URI=node.uri, APINODE_ADMIN_API_KEY=node.admin_key)
        timed([sys.executable, "-c", LISTING], env)  # warm the file cache and the node
        for fmt in formats:
            ratio, mine, reference = interleaved(
                runs,
                lambda fmt=fmt: timed([*cmd, "services", "list", "-o", fmt], env),
                lambda: timed([sys.executable, "-c", LISTING], env),
            )
            detail = f"  {mine:.2f} s / {reference:.2f} s"
            ok &= verdict(f"large-{fmt}", ratio, TARGETS[f"large-{fmt}"], detail)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--apply-runs", type=int, default=1)
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="a subset")
    args = parser.parse_args()
    cmd = tool()
    work = Path(tempfile.mkdtemp(prefix="bench-work-"))
    atexit.register(shutil.rmtree, work, True)  # config files and archives
    chosen = args.only or list(TARGETS)
    ok = True
    if "apply-100" in chosen:
        ok &= apply_100(work, cmd, args.apply_runs)
    if "cpu-request" in chosen:
        ok &= cpu_per_request(args.runs)
    formats = [name.split("-")[1] for name in ("large-plain", "large-tsv") if name in chosen]
    if formats:
        ok &= large(cmd, args.runs, formats)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
