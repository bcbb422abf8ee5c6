"""Fleet speed: whole-process times of fleet commands against the same command on one node.

Run: python tests/benchmarks/bench_fleet.py [--runs 9] [--nodes 10] [--latency 200]

Starts NODES emulators with LATENCY ms added to every request, NODES profiles and a fleet,
then times whole processes, interleaved pair by pair, and prints median ratios:
- `services list --fleet` against `services list` on one node (target <= 1.5x);
- `generations import ... --activate --fleet` against the same on one node (target <= 1.5x);
- `fleet status` over the nodes with 20 services each against one node's `services list`
  (target <= 3x);
- a 20,000-service `services list -o plain` on one node (no latency) against the official
  client fetching the same list and printing json.dumps of it (target <= 1.5x).
"""

from __future__ import annotations

import argparse
import atexit
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.config import dumps_toml
from apinode_admin_cli.emulator import start_emulator

TARGETS = {"list": 1.5, "import": 1.5, "status": 3.0, "large-plain": 1.5}


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def archive(folder: Path, version: str) -> str:
    path = folder / f"{version}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"version": version, "endpoints": ["score"]}))
    return str(path)


def compare(
    name: str, ours: list[list[str]], theirs: list[list[str]], env: dict[str, str]
) -> float:
    """Median of pairwise ratios; ``ours``/``theirs`` give one command line per run."""
    ratios = []
    for mine, reference in zip(ours, theirs):
        ratios.append(timed(mine, env) / timed(reference, env))
    ratio = statistics.median(ratios)
    verdict = "ok" if ratio <= TARGETS[name] else "MISSED"
    print(f"{name:12} ratio {ratio:5.2f} (target <= {TARGETS[name]})  {verdict}", flush=True)
    return ratio


def large_listing(big: Any, tool: list[str], env: dict[str, str], runs: range) -> float:
    """20,000 services in plain text against the official client's fetch and json.dumps."""
    # 20,000 creations over HTTP would sync the disk 20,000 times: seeding the emulator's
    # store gives the node the same services at once.
    record = {"enabled": True, "createdOn": 1_760_000_000_000, "generations": {}, "mapping": None}
    big.app.store.seed_services({f"service-{i:05d}": record for i in range(20000)})
    big_env = dict(env, APINODE_ADMIN_URI=big.uri, APINODE_ADMIN_API_KEY=big.admin_key)
    big_env.pop("APINODE_ADMIN_CONFIG", None)
    official = (
        "import json,os,dataikuapi;"
        "c=dataikuapi.APINodeAdminClient(os.environ['APINODE_ADMIN_URI'],"
        "os.environ['APINODE_ADMIN_API_KEY']);print(json.dumps(c.list_services()))"
    )
    return compare(
        "large-plain",
        [[*tool, "services", "list", "-o", "plain"] for _ in runs],
        [[sys.executable, "-c", official] for _ in runs],
        big_env,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--nodes", type=int, default=10)
    parser.add_argument("--latency", type=float, default=200)
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="a subset")
    args = parser.parse_args()
    import apinode_admin_cli

    compileall.compile_dir(os.path.dirname(apinode_admin_cli.__file__), quiet=1)
    py = sys.executable
    script = os.path.join(os.path.dirname(py), "apinode-admin")
    tool = [script] if os.path.exists(script) else [py, "-m", "apinode_admin_cli"]
    work = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    atexit.register(shutil.rmtree, work, True)  # config files and archives
    nodes = [start_emulator(latency_ms=args.latency) for _ in range(args.nodes)]
    big = start_emulator()
    try:
        names = [f"n{i}" for i in range(len(nodes))]
        profiles = {n: {"uri": h.uri, "api_key": h.admin_key} for n, h in zip(names, nodes)}
        config = work / "config.toml"
        config.write_text(
            dumps_toml({"profiles": profiles, "fleets": {"bench": {"profiles": names}}})
        )
        config.chmod(0o600)
        env = dict(os.environ, APINODE_ADMIN_CONFIG=str(config))
        for key in ("APINODE_ADMIN_URI", "APINODE_ADMIN_API_KEY", "APINODE_ADMIN_FLEET"):
            env.pop(key, None)
        for handle in nodes:
            with APINodeAdminClient(handle.uri, handle.admin_key) as client:
                for i in range(20):
                    client.create_service(f"s{i:02d}")
        single = [*tool, "--profile", "n0"]
        fleet = [*tool, "--fleet", "bench"]
        runs = range(args.runs)
        failed = False
        # Warm the file cache once.
        timed([*single, "services", "list"], env)
        imports = ("-q", "generations", "import")
        pairs = {
            "list": (
                [[*fleet, "services", "list"] for _ in runs],
                [[*single, "services", "list"] for _ in runs],
            ),
            "import": (
                [[*fleet, *imports, "s00", archive(work, f"f{i}"), "--activate"] for i in runs],
                [[*single, *imports, "s01", archive(work, f"s{i}"), "--activate"] for i in runs],
            ),
            "status": (
                [[*fleet, "fleet", "status"] for _ in runs],
                [[*single, "services", "list"] for _ in runs],
            ),
        }
        for name, (ours, reference) in pairs.items():
            if not args.only or name in args.only:
                failed |= compare(name, ours, reference, env) > TARGETS[name]
        if not args.only or "large-plain" in args.only:
            ratio = large_listing(big, tool, env, runs)
            failed |= ratio > TARGETS["large-plain"]
    finally:
        for handle in [*nodes, big]:
            handle.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
