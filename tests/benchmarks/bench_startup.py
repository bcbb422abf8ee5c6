"""Whole-process timings of apinode-admin against references measured in the same run.

Run: python tests/benchmarks/bench_startup.py [--runs 15]

Prints the median wall time of each command and the median of the pairwise ratios to the
reference run just before it:
- `apinode-admin --help` against `python -c "import click"` (target: within 1.15x);
- `apinode-admin services list -o json` against `python -c "import requests, click"`, the
  floor for this stack (target: within 1.05x);
- the same listing against a one-line script of the official client doing the same (for the
  record: no target);
- for the record too, both commands run through ``main(argv)`` from code, which keeps
  Python's ordinary exit (module teardown) and its default collector settings: what the
  program's own exit (see ``apinode_admin_cli/__main__.py``) saves, and what start-up
  alone costs.
Both talk to a bundled emulator started on a free port by this script. Shared machines are
noisy: interleaving the runs and taking medians keeps the ratio meaningful.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import time

from apinode_admin_cli.emulator import start_emulator

TARGETS = {
    "help": 1.15,
    "list-json": 1.05,
    "vs-official": None,
    "help-ordinary": None,
    "list-ordinary": None,
}
# The command line run by code rather than as the program: SystemExit, then a normal exit.
ORDINARY = "import sys; from apinode_admin_cli.__main__ import main; main(sys.argv[1:])"


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # An installed wheel ships byte-code, like the official client's install does; an
    # editable checkout under PYTHONDONTWRITEBYTECODE would otherwise recompile every run.
    import apinode_admin_cli

    compileall.compile_dir(os.path.dirname(apinode_admin_cli.__file__), quiet=1)
    py = sys.executable
    # The console script, as users run it; python -m as a fallback.
    script = os.path.join(os.path.dirname(py), "apinode-admin")
    tool = [script] if os.path.exists(script) else [py, "-m", "apinode_admin_cli"]
    with start_emulator() as node:
        env = dict(os.environ, APINODE_ADMIN_URI=node.uri, APINODE_ADMIN_API_KEY=node.admin_key)
        env.pop("APINODE_ADMIN_CONFIG", None)
        official = (
            "import json,os,dataikuapi;"
            "c=dataikuapi.APINodeAdminClient(os.environ['APINODE_ADMIN_URI'],"
            "os.environ['APINODE_ADMIN_API_KEY']);print(json.dumps(c.list_services()))"
        )
        pairs = {
            "help": ([*tool, "--help"], [py, "-c", "import click"]),
            "list-json": (
                [*tool, "services", "list", "-o", "json"],
                [py, "-c", "import requests, click"],
            ),
            "vs-official": ([*tool, "services", "list", "-o", "json"], [py, "-c", official]),
            "help-ordinary": ([py, "-c", ORDINARY, "--help"], [py, "-c", "import click"]),
            "list-ordinary": (
                [py, "-c", ORDINARY, "services", "list", "-o", "json"],
                [py, "-c", "import requests, click"],
            ),
        }
        failed = False
        for name, (ours, reference) in pairs.items():
            mine, ratios = [], []
            timed(ours, env), timed(reference, env)  # warm the file cache
            for _ in range(args.runs):
                theirs = timed(reference, env)
                mine.append(timed(ours, env))
                ratios.append(mine[-1] / theirs)
            ratio = statistics.median(ratios)
            target = TARGETS[name]
            ok = target is None or ratio <= target
            failed |= not ok
            verdict = "" if target is None else f"(target <= {target})  {'ok' if ok else 'MISSED'}"
            print(
                f"{name:14} ours {statistics.median(mine) * 1000:7.1f} ms   "
                f"ratio {ratio:4.2f} {verdict}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
