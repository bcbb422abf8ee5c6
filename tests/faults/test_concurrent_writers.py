"""Concurrent writers of different kinds never lose an acknowledged update, even over a restart."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from support.cli import RunCli

from apinode_admin_cli.emulator import start_emulator

WRITERS = 16
ROUNDS = 6


def _writer(uri: str, key: str, n: int, barrier: threading.Barrier) -> list[str]:
    session = requests.Session()
    session.auth = (key, "")
    admin = uri + "/admin/api"
    labels = []
    barrier.wait()
    for r in range(ROUNDS):
        sid = f"w{n:02d}-s{r}"
        session.post(admin + "/services", json={"serviceId": sid}, timeout=10).raise_for_status()
        label = f"w{n:02d}-k{r}"
        body = {"label": label, "createdBy": f"writer-{n}"}
        session.post(admin + "/keys", json=body, timeout=10).raise_for_status()
        labels.append(label)
        # A disable then enable racing with every other writer's creations.
        session.post(f"{admin}/services/{sid}/actions/disable", timeout=10).raise_for_status()
        if r % 2:
            session.post(f"{admin}/services/{sid}/actions/enable", timeout=10).raise_for_status()
    return labels


def test_mixed_concurrent_writers_lose_nothing(run_cli: RunCli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    with start_emulator(data_dir=data, admin_key="writers-key") as node:
        barrier = threading.Barrier(WRITERS)
        with ThreadPoolExecutor(WRITERS) as pool:
            futures = [
                pool.submit(_writer, node.uri, node.admin_key, n, barrier) for n in range(WRITERS)
            ]
            labels = sorted(label for f in futures for label in f.result())
        _check(run_cli, node.uri, labels)
    # Every acknowledged change was on disk before its answer: a fresh start sees them all.
    with start_emulator(data_dir=data, admin_key="writers-key") as node:
        _check(run_cli, node.uri, labels)


def _check(run_cli: RunCli, uri: str, labels: list[str]) -> None:
    common = ("--uri", uri, "--api-key", "writers-key")
    services = run_cli(*common, "services", "list", "-o", "json")
    assert services.exit_code == 0, services.output
    listed = {s["serviceId"]: s["enabled"] for s in json.loads(services.stdout)}
    expected = {f"w{n:02d}-s{r}": bool(r % 2) for n in range(WRITERS) for r in range(ROUNDS)}
    assert listed == expected
    keys = run_cli(*common, "keys", "list", "-o", "json")
    assert keys.exit_code == 0, keys.output
    found: list[Any] = sorted(
        k["label"] for k in json.loads(keys.stdout) if k["label"] != "bootstrap"
    )
    assert found == labels
