"""Values no float or text can hold (issue 22 item 14): exit 1 from a node, exit 2 from the user.

A share of 1e400 written as an integer, a lone surrogate in an id: each command that reads them
says the node's answer is wrong (exit 1, never "unexpected failure"), and on a fleet the other
nodes are still shown. A 5000-digit integer in a state file or in --steps is a usage error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, RunProc, check
from support.faults import assert_clean_failure, assert_failed

from apinode_admin_cli.client import APINodeAdminClient

ADMIN = "/admin/api"
HUGE = "1" + "0" * 400
GENERATIONS = f"{ADMIN}/services/churn/generations"
HUGE_SHARE = '{"generations": [{"generationId": "v1", "mapped": ' + HUGE + ', "mounted": true}]}'
SURROGATE_GENERATION = '{"generations": [{"generationId": "v\\ud800", "mapped": 1.0}]}'
SURROGATE_SERVICE = '[{"serviceId": "s\\ud800", "enabled": true}]'

READERS = [
    ("generations", "list", "churn"),
    ("state", "export"),
    ("state", "export", "-o", "json"),
    ("services", "list", "--wide"),
    ("services", "describe", "churn"),
]


def _lie(node: Any, path: str, body: str) -> None:
    node.add_fault(
        method="GET", path=path, status=200, body=body, contentType="application/json", count=50
    )


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_share_too_large_for_a_float_is_a_wrong_answer(
    node_cli: RunCli, emulator: Any, command: tuple[str, ...]
) -> None:
    check(node_cli("-q", "services", "create", "churn"))
    _lie(emulator, GENERATIONS, HUGE_SHARE)
    result = node_cli(*command)
    said = "'mapped' share too large for a number"
    if "-o" in command:
        assert result.exit_code == 1 and result.stdout == ""
        assert said in json.loads(result.stderr.splitlines()[-1])["error"]["message"]
    else:
        assert_failed(result, 1, "not the expected JSON", said)


def _real(run_proc: RunProc, emulator: Any, *command: str) -> Any:
    """A real process: its stdout encodes to UTF-8, as an operator's terminal or pipe does."""
    connect = ("--uri", emulator.uri, "--api-key", emulator.admin_key)
    return run_proc(*connect, *command)


def _failed(proc: Any, code: int, said: str) -> None:
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == "" and "unexpected" not in proc.stderr
    assert_clean_failure(proc.stderr)
    assert said in proc.stderr.splitlines()[0], proc.stderr


@pytest.mark.parametrize("command", READERS[:2] + READERS[3:], ids=" ".join)
def test_a_lone_surrogate_in_a_generation_id(
    run_proc: RunProc, emulator: Any, command: tuple[str, ...]
) -> None:
    APINodeAdminClient(emulator.uri, emulator.admin_key).create_service("churn")
    _lie(emulator, GENERATIONS, SURROGATE_GENERATION)
    proc = _real(run_proc, emulator, *command)
    if command[0] == "state":
        # No TOML file can hold it: said once, with what to do.
        _failed(proc, 1, "whose id 'v\\ud800' is not Unicode text")
    else:
        assert proc.returncode == 0, proc.stderr  # shown escaped, as any lone surrogate
        assert "v\\ud800" in proc.stdout


@pytest.mark.parametrize(
    ("command", "code", "said"),
    [
        (("state", "export"), 1, "whose id 's\\ud800' is not Unicode text"),
        (("state", "export", "-o", "json"), 1, "whose id 's\\ud800' is not Unicode text"),
        # Its generations cannot be asked for: no URL can carry that id.
        (("services", "list", "--wide"), 2, "invalid service id 's\\ud800': it is not Unicode"),
    ],
)
def test_a_lone_surrogate_in_a_service_id(
    run_proc: RunProc, emulator: Any, command: tuple[str, ...], code: int, said: str
) -> None:
    _lie(emulator, f"{ADMIN}/services", SURROGATE_SERVICE)
    _failed(_real(run_proc, emulator, *command), code, said)


def test_fleet_status_still_shows_the_healthy_nodes(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2", "n3")
    check(fleet_cli("-q", "services", "create", "churn"))
    _lie(fleet.node("n2"), GENERATIONS, HUGE_SHARE)
    result = fleet_cli("fleet", "status", "-o", "tsv")
    assert result.exit_code == 1, result.output
    assert "unexpected" not in result.stderr
    assert result.stdout.splitlines()[1].split("\t")[:4] == [
        "churn", "no active generation", "failed", "no active generation",
    ]  # fmt: skip
    assert "n2: failed" in result.stderr and "too large" in result.stderr


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_a_5000_digit_integer_in_a_state_file_is_a_usage_error(
    node_cli: RunCli, emulator: Any, tmp_path: Path, suffix: str
) -> None:
    big = "1" * 5000
    path = tmp_path / f"state{suffix}"
    if suffix == ".toml":
        path.write_text(
            f'[services.churn]\ngenerations = {{ v1 = "" }}\nmapping = {{ v1 = {big} }}\n'
        )
    else:
        path.write_text(f'{{"services": {{"churn": {{"mapping": {{"v1": {big}}}}}}}}}')
    result = node_cli("state", "diff", "-f", str(path))
    assert result.exit_code == 2, result.output
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert emulator.received == []


def test_a_5000_digit_step_is_a_usage_error(node_cli: RunCli, emulator: Any) -> None:
    result = node_cli("services", "rollout", "churn", "v2", "--steps", "10," + "1" * 5000)
    assert_failed(result, 2, "steps", "not a percentage from 1 to 100")
    assert emulator.received == []
