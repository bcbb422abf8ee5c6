"""Fleets at scale: whole-process times that must grow with the work, not faster.

Run: python tests/benchmarks/bench_scale_fleet.py [--runs 5] [--latency 200] [--only NAME]

Emulators run in this process (their CPU is part of every wall time), each on a free port:
- fanout-100: `services list --fleet` on 100 nodes at LATENCY ms / the same on one node
  (target <= 1.5: the whole fleet within about one round trip); for the record, the floor:
  a script of the official client listing the 100 nodes from 100 threads / our one node;
- status-200: `fleet status` on 10 nodes of 200 services at LATENCY ms / one node's
  `services list` (target <= 5);
- status-linear: `fleet status` on 10 nodes of 2,000 services / on 10 nodes of 200, no latency,
  the emulators' CPU included (target <= 12: ten times the work, linear).
Runs are interleaved pair by pair and the median of the pairwise ratios is reported: the
machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import sys
import tempfile
from pathlib import Path

from benchutil import clean_env, fill, interleaved, timed, tool, verdict, write_fleet_config

from apinode_admin_cli.emulator import start_emulator

TARGETS = {"fanout-100": 1.5, "status-200": 5.0, "status-linear": 12.0}

# The official client listing every profile's node at once, one thread each: no settings, no
# output, no deadline; what the machine and the emulators allow a fan-out at best.
FLOOR = """
import os, sys, threading
import dataikuapi
if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib
with open(os.environ["APINODE_ADMIN_CONFIG"], "rb") as handle:
    profiles = tomllib.load(handle)["profiles"].values()
def work(profile):
    dataikuapi.APINodeAdminClient(profile["uri"], profile["api_key"]).list_services()
threads = [threading.Thread(target=work, args=(p,)) for p in profiles]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def fanout(work: Path, cmd: list[str], runs: int, latency: float) -> bool:
    nodes = [start_emulator(latency_ms=latency) for _ in range(100)]
    try:
        env = clean_env(APINODE_ADMIN_CONFIG=str(write_fleet_config(work, nodes, "big")))
        fleet, single = [*cmd, "--fleet", "big"], [*cmd, "--profile", "n0"]
        timed([*single, "services", "list"], env)  # warm the file cache
        ratio, mine, theirs = interleaved(
            runs,
            lambda: timed([*fleet, "services", "list"], env),
            lambda: timed([*single, "services", "list"], env),
        )
        floor, official, _ = interleaved(
            runs,
            lambda: timed([sys.executable, "-c", FLOOR], env),
            lambda: timed([*single, "services", "list"], env),
        )
    finally:
        for node in nodes:
            node.stop()
    record = f"ratio {floor:6.3f} (for the record)  {official:.2f} s"
    print(f"{'fanout-official':16} {record}", flush=True)
    return verdict("fanout-100", ratio, TARGETS["fanout-100"], f"  {mine:.2f} s / {theirs:.2f} s")


def status(work: Path, cmd: list[str], runs: int, latency: float) -> bool:
    nodes = [start_emulator(latency_ms=latency) for _ in range(10)]
    try:
        for node in nodes:
            fill(node, 200)
        env = clean_env(APINODE_ADMIN_CONFIG=str(write_fleet_config(work, nodes, "ten")))
        ratio, mine, theirs = interleaved(
            runs,
            lambda: timed([*cmd, "--fleet", "ten", "fleet", "status"], env),
            lambda: timed([*cmd, "--profile", "n0", "services", "list"], env),
        )
    finally:
        for node in nodes:
            node.stop()
    return verdict("status-200", ratio, TARGETS["status-200"], f"  {mine:.2f} s / {theirs:.2f} s")


def linear(work: Path, cmd: list[str], runs: int) -> bool:
    small = [start_emulator() for _ in range(10)]
    large = [start_emulator() for _ in range(10)]
    try:
        for node in small:
            fill(node, 200)
        for node in large:
            fill(node, 2000)
        env_small = clean_env(APINODE_ADMIN_CONFIG=str(write_fleet_config(work, small, "small")))
        env_large = clean_env(APINODE_ADMIN_CONFIG=str(write_fleet_config(work, large, "large")))
        ratio, mine, theirs = interleaved(
            runs,
            lambda: timed([*cmd, "--fleet", "large", "fleet", "status"], env_large),
            lambda: timed([*cmd, "--fleet", "small", "fleet", "status"], env_small),
        )
    finally:
        for node in [*small, *large]:
            node.stop()
    detail = f"  {mine:.2f} s / {theirs:.2f} s"
    return verdict("status-linear", ratio, TARGETS["status-linear"], detail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--latency", type=float, default=200)
    parser.add_argument("--only", choices=sorted(TARGETS), action="append", help="a subset")
    args = parser.parse_args()
    cmd = tool()
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    atexit.register(shutil.rmtree, work, True)  # config files and archives
    chosen = args.only or list(TARGETS)
    ok = True
    if "fanout-100" in chosen:
        ok &= fanout(work, cmd, args.runs, args.latency)
    if "status-200" in chosen:
        ok &= status(work, cmd, args.runs, args.latency)
    if "status-linear" in chosen:
        ok &= linear(work, cmd, args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
