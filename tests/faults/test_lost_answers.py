"""Writes whose answer was lost: right outcome for retried deletes, honest hints for the rest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check
from support.faults import assert_failed

ADMIN = "/admin/api"
LOST_NOTE = "earlier attempt deleted it"


def _sent(emulator: Any, method: str, path: str) -> int:
    return sum(1 for r in emulator.received if r["method"] == method and r["path"] == path)


def _new_key(node_cli: RunCli) -> tuple[str, str]:
    result = node_cli("keys", "create", "--label", "old", "-o", "json")
    check(result)
    created = json.loads(result.stdout)
    return created["key"], created["id"]


def test_services_delete_whose_answer_was_lost(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("services", "create", "churn"))
    # The node deletes, then the connection drops halfway through the answer.
    emulator.add_fault(method="DELETE", path=f"{ADMIN}/services/churn", drop="mid-body")
    result = node_cli("services", "delete", "churn", "-y")
    check(result)
    assert "Deleted service churn." in result.stderr
    assert LOST_NOTE in result.stderr  # why a 404 became a success, without -v too
    assert _sent(emulator, "DELETE", f"{ADMIN}/services/churn") == 2
    listed = node_cli("services", "list", "-o", "json")
    assert listed.stdout == "[]\n"


@pytest.mark.parametrize("by", ["secret", "id", "original"])
def test_keys_delete_whose_answer_was_lost(node_cli: RunCli, emulator: Any, by: str) -> None:
    secret, key_id = _new_key(node_cli)
    path = f"{ADMIN}/keys/{key_id}/key" if by == "id" else f"{ADMIN}/keys/{secret}"
    emulator.add_fault(method="DELETE", path=path, drop="mid-body")
    if by == "original":
        result = node_cli("admin-key-delete", secret)
        check(result)
        assert "KEY NOT FOUND" not in result.stdout
    else:
        args = ("--id", key_id, "--force") if by == "id" else (secret,)
        result = node_cli("keys", "delete", *args, "-y")
        check(result)
        assert LOST_NOTE in result.stderr
    assert _sent(emulator, "DELETE", path) == 2
    assert secret not in result.stdout + result.stderr


def test_clean_unused_is_not_retried_once_sent(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("services", "create", "old"))
    check(node_cli("services", "disable", "old"))
    emulator.add_fault(method="DELETE", path=f"{ADMIN}/services-clean-unused", drop="mid-body")
    result = node_cli("services", "clean-unused", "-y")
    first = assert_failed(result, 7, "dropped", "may have applied the DELETE")
    assert "apinode-admin services list" in result.stderr, first
    assert _sent(emulator, "DELETE", f"{ADMIN}/services-clean-unused") == 1


def test_code_env_clean_is_not_retried_once_sent(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="DELETE", path=f"{ADMIN}/cached-code-envs", drop="mid-body")
    result = node_cli("code-envs", "clean", "-y")
    assert_failed(result, 7, "may have applied the DELETE")
    assert _sent(emulator, "DELETE", f"{ADMIN}/cached-code-envs") == 1


def test_a_post_that_timed_out_may_have_been_applied(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="POST", path=f"{ADMIN}/services", delayMs=1500)
    result = node_cli("--timeout", "0.5", "services", "create", "my service")
    assert_failed(result, 7, "did not answer within 0.5 s", "may have applied the POST")
    hint = result.stderr.splitlines()[1]
    assert "`apinode-admin services list`" in hint and "--timeout" in hint


def test_a_dropped_import_says_how_to_check(
    node_cli: RunCli, emulator: Any, make_archive: Callable[..., Path]
) -> None:
    check(node_cli("services", "create", "my service"))
    path = f"{ADMIN}/services/my service/generations/actions/importFromArchive"
    emulator.add_fault(method="POST", path=path, drop=True)
    result = node_cli("generations", "import", "my service", str(make_archive()))
    assert_failed(result, 7, "dropped", "may have applied the POST")
    assert "`apinode-admin generations list 'my service'`" in result.stderr


def test_a_read_that_timed_out_keeps_the_plain_hint(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=f"{ADMIN}/services", delayMs=1500)
    result = node_cli("--timeout", "0.5", "services", "list")
    first = assert_failed(result, 7, "did not answer within 0.5 s")
    assert "may have applied" not in result.stderr, first
