"""What the scale benchmarks share: the program, timing, verdicts, emulators full of services."""

from __future__ import annotations

import compileall
import json
import os
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any, Callable, Sequence

from apinode_admin_cli.config import dumps_toml


def tool() -> list[str]:
    """The console script as users run it (python -m as a fallback), its byte-code compiled."""
    import apinode_admin_cli

    # An installed wheel ships byte-code; an editable checkout would recompile every run.
    compileall.compile_dir(os.path.dirname(apinode_admin_cli.__file__), quiet=1)
    script = os.path.join(os.path.dirname(sys.executable), "apinode-admin")
    return [script] if os.path.exists(script) else [sys.executable, "-m", "apinode_admin_cli"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the tool's own settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APINODE_ADMIN_")}
    env.update(extra)
    return env


def timed(cmd: Sequence[str], env: dict[str, str]) -> float:
    """Wall time of one whole process; a failure stops the benchmark with its stderr."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def verdict(name: str, ratio: float, target: float, detail: str = "") -> bool:
    """Print one result line; True when the target is met."""
    ok = ratio <= target
    print(
        f"{name:16} ratio {ratio:6.3f} (target <= {target}){detail}  {'ok' if ok else 'MISSED'}",
        flush=True,
    )
    return ok


def interleaved(
    runs: int, ours: Callable[[], float], theirs: Callable[[], float]
) -> tuple[float, float, float]:
    """Median of the pairwise ratios, and the medians of each side, runs interleaved."""
    mine, reference, ratios = [], [], []
    for _ in range(runs):
        reference.append(theirs())
        mine.append(ours())
        ratios.append(mine[-1] / reference[-1])
    return statistics.median(ratios), statistics.median(mine), statistics.median(reference)


def fill(handle: Any, count: int) -> None:
    """Give an emulator ``count`` services at once (seeding its store, not over HTTP)."""
    record = {"enabled": True, "createdOn": 1_760_000_000_000, "generations": {}, "mapping": None}
    handle.app.store.seed_services({f"service-{i:06d}": record for i in range(count)})


def write_fleet_config(folder: Path, handles: Sequence[Any], fleet: str = "bench") -> Path:
    """A config file with one profile per emulator (n0, n1, ...) and a fleet of them all."""
    names = [f"n{i}" for i in range(len(handles))]
    profiles = {n: {"uri": h.uri, "api_key": h.admin_key} for n, h in zip(names, handles)}
    config = folder / f"{fleet}.toml"
    config.write_text(dumps_toml({"profiles": profiles, "fleets": {fleet: {"profiles": names}}}))
    config.chmod(0o600)
    return config


def archive(folder: Path, version: str) -> str:
    """A generation archive whose generation id is ``version``."""
    path = folder / f"{version}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"version": version, "endpoints": ["score"]}))
    return str(path)
