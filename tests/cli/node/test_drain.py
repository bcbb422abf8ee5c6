"""`drain` and `undrain`: the data dir's file flipped, then /isAlive/ waited for; `ping` says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
import requests
from support.cli import RunCli, check

from apinode_admin_cli.config import load_config, write_config
from apinode_admin_cli.emulator import EmulatorHandle

DRAIN_FILE = "apinode-not-alive.txt"


@pytest.fixture
def on_node(emulator: EmulatorHandle, run_cli: RunCli) -> RunCli:
    """The CLI with the emulator's URI, key and data dir in the environment."""

    def run(*args: str, env: Any = None) -> Any:
        full = {
            "APINODE_ADMIN_URI": emulator.uri,
            "APINODE_ADMIN_API_KEY": emulator.admin_key,
            "APINODE_ADMIN_DATA_DIR": str(emulator.data_dir),
            "APINODE_ADMIN_RETRIES": "1",
            **(env or {}),
        }
        return run_cli(*args, env=full)

    return run


def alive_status(emulator: EmulatorHandle) -> int:
    return requests.get(f"{emulator.uri}/isAlive/", timeout=5).status_code


def test_drain_then_undrain(on_node: RunCli, emulator: EmulatorHandle) -> None:
    result = on_node("drain")
    check(result)
    assert result.stdout == ""
    assert result.stderr.startswith("Drained: /isAlive/ fails (")
    assert (emulator.data_dir / DRAIN_FILE).exists()
    assert alive_status(emulator) == 503
    check(on_node("services", "list"))  # a drained node keeps answering

    result = on_node("drain", "-o", "json")
    check(result)
    report = json.loads(result.stdout)
    assert report["drained"] is True and report["changed"] is False
    assert report["dataDir"] == str(emulator.data_dir) and report["uri"] == emulator.uri
    assert result.stderr.startswith("Already drained")

    result = on_node("ping", "-o", "json")
    check(result)
    assert json.loads(result.stdout)["drained"] is True
    assert json.loads(result.stdout)["alive"] is False
    assert "Note: the node is drained" in result.stderr
    result = on_node("ping", "-o", "tsv", "--no-headers")
    assert "drained\ttrue" in result.stdout

    result = on_node("undrain")
    check(result)
    assert result.stderr.startswith("Undrained: /isAlive/ answers")
    assert not (emulator.data_dir / DRAIN_FILE).exists()
    assert alive_status(emulator) == 200
    result = on_node("ping", "-o", "json")
    check(result)
    assert json.loads(result.stdout)["drained"] is False
    assert "drained" not in result.stderr


def test_no_data_dir_is_exit_3_and_changes_nothing(
    on_node: RunCli, emulator: EmulatorHandle
) -> None:
    result = on_node("drain", env={"APINODE_ADMIN_DATA_DIR": ""})
    check(result, 3)
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "Error: no data dir for this node: pass --data-dir, set APINODE_ADMIN_DATA_DIR, "
        "or set `data_dir` in profile 'default'"
    )
    assert alive_status(emulator) == 200


def test_a_node_that_does_not_agree_is_exit_7(
    on_node: RunCli, emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """The data dir given is not this node's: its /isAlive/ never fails."""
    result = on_node("drain", "--wait", "0.3", env={"APINODE_ADMIN_DATA_DIR": str(tmp_path)})
    check(result, 7)
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"Error: /isAlive/ still answers 2xx 0.3 s after {tmp_path / DRAIN_FILE} was created"
    )
    assert (tmp_path / DRAIN_FILE).exists()  # what was asked for stays; undrain removes it
    check(on_node("undrain", "--wait", "1", env={"APINODE_ADMIN_DATA_DIR": str(tmp_path)}))
    assert not (tmp_path / DRAIN_FILE).exists()


def test_a_fleet_drains_node_by_node_and_stops_at_a_failure(
    make_fleet: Callable[..., Any], run_cli: RunCli, tmp_path: Path
) -> None:
    fleet = make_fleet("a", "b")
    data = load_config(fleet.config)
    for name in ("a", "b"):
        data["profiles"][name]["data_dir"] = str(fleet.node(name).data_dir)
    write_config(fleet.config, data)
    result = run_cli("--fleet", "prod", "drain", "-o", "json")
    check(result)
    assert [(n["node"], n["outcome"]) for n in json.loads(result.stdout)] == [
        ("a", "ok"),
        ("b", "ok"),
    ]
    assert all(alive_status(fleet.node(n)) == 503 for n in ("a", "b"))
    check(run_cli("--fleet", "prod", "undrain"))
    assert all(alive_status(fleet.node(n)) == 200 for n in ("a", "b"))

    data["profiles"]["a"]["data_dir"] = str(tmp_path)  # not node a's: it never agrees
    write_config(fleet.config, data)
    result = run_cli("--fleet", "prod", "drain", "--wait", "0.2")
    check(result, 7)
    assert "a: failed" in result.stderr and "b: skipped" in result.stderr
    assert alive_status(fleet.node("b")) == 200  # never drained
    assert not (fleet.node("b").data_dir / DRAIN_FILE).exists()
