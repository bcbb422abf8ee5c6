"""``keys``: list, create (the secret alone on stdout) and delete, by secret or by id."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.cli import RunCli, check


def keys(node_cli: RunCli) -> dict[str, dict[str, Any]]:
    result = node_cli("keys", "list", "-o", "json")
    check(result)
    return {k["id"]: k for k in json.loads(result.stdout)}


def create(node_cli: RunCli, *args: str) -> dict[str, Any]:
    result = node_cli("keys", "create", *args, "-o", "json")
    check(result)
    created: dict[str, Any] = json.loads(result.stdout)
    return created


def test_create_prints_only_the_secret(node_cli: RunCli, emulator: Any) -> None:
    before = keys(node_cli)
    result = node_cli("keys", "create", "--label", "ci")
    check(result)
    secret = result.stdout.rstrip("\n")
    assert result.stdout == secret + "\n" and secret and secret.isprintable() and " " not in secret
    (new_id,) = set(keys(node_cli)) - set(before)
    assert f"Created key {new_id}" in result.stderr
    assert secret not in result.stderr
    # The printed secret is a working admin key.
    used = node_cli("services", "list", "-o", "json", env={"APINODE_ADMIN_API_KEY": secret})
    check(used)
    assert used.stdout == "[]\n"


def test_create_json_is_the_object_with_its_key(node_cli: RunCli) -> None:
    created = create(node_cli, "--label", "ci", "--description", "for CI", "--created-by", "alice")
    assert created["key"] and created["label"] == "ci"
    assert created["description"] == "for CI" and created["createdBy"] == "alice"
    listed = keys(node_cli)[created["id"]]
    assert listed.get("key", "******") == "******"  # never the secret
    assert listed["label"] == "ci" and listed["createdBy"] == "alice"


def test_create_sends_epoch_expiry_as_a_number(node_cli: RunCli, emulator: Any) -> None:
    emulator.clear_received()
    created = create(node_cli, "--expiry", "1924992000000")
    (sent,) = [r for r in emulator.received if r["method"] == "POST"]
    assert json.loads(sent["body"])["expiry"] == 1924992000000
    assert keys(node_cli)[created["id"]]["expiry"] == 1924992000000


def test_create_with_iso_expiry(node_cli: RunCli) -> None:
    created = create(node_cli, "--expiry", "2030-01-31")
    assert keys(node_cli)[created["id"]]["expiry"] == 1896048000000


def test_create_with_bad_expiry_exits_2(node_cli: RunCli) -> None:
    result = node_cli("keys", "create", "--expiry", "someday")
    check(result, 2)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


def test_expired_key_is_refused_with_exit_4(node_cli: RunCli) -> None:
    created = create(node_cli, "--expiry", "1000", "--force")
    result = node_cli("services", "list", env={"APINODE_ADMIN_API_KEY": created["key"]})
    check(result, 4)
    assert result.stdout == ""
    assert created["key"] not in result.stderr


def test_list_plain_masks_and_shows_columns(node_cli: RunCli) -> None:
    create(node_cli, "--label", "ci", "--description", "deploys")
    result = node_cli("keys", "list")
    check(result)
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["ID", "KEY", "LABEL", "DESCRIPTION", "CREATED", "BY", "EXPIRY"]
    assert any("ci" in row.split() and "deploys" in row.split() for row in rows)
    assert any("bootstrap" in row.split() for row in rows)
    assert result.stderr == ""


def test_delete_by_secret(node_cli: RunCli) -> None:
    created = create(node_cli, "--label", "old")
    result = node_cli("keys", "delete", created["key"], "-y")
    check(result)
    assert result.stdout == ""
    assert "Deleted key ****" in result.stderr
    assert created["key"] not in result.stderr
    assert created["id"] not in keys(node_cli)


def test_delete_by_secret_on_stdin(node_cli: RunCli) -> None:
    created = create(node_cli)
    result = node_cli("keys", "delete", "-", "--yes", input=created["key"] + "\n")
    check(result)
    assert result.stdout == ""
    assert created["key"] not in result.stderr
    assert created["id"] not in keys(node_cli)


def test_delete_by_id(node_cli: RunCli) -> None:
    created = create(node_cli, "--label", "old")
    # --force: with two valid keys and hidden secrets, the tool cannot rule out its own.
    result = node_cli("keys", "delete", "--id", created["id"], "-y", "--force")
    check(result)
    assert result.stdout == ""
    assert f"Deleted key {created['id']}." in result.stderr
    assert created["id"] not in keys(node_cli)


def test_delete_json_prints_the_node_answer(node_cli: RunCli, emulator: Any) -> None:
    created = create(node_cli)
    result = node_cli("keys", "delete", "--id", created["id"], "-y", "--force", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == {"ok": True}  # the emulator's answer to DELETE
    assert emulator.received[-1]["method"] == "DELETE"
    assert created["id"] not in [k["id"] for k in emulator.app.store.read()["keys"]]


@pytest.mark.parametrize("by_id", [False, True], ids=["by-secret", "by-id"])
def test_delete_requires_yes(node_cli: RunCli, emulator: Any, by_id: bool) -> None:
    created = create(node_cli)
    emulator.clear_received()
    args = ("--id", created["id"]) if by_id else (created["key"],)
    result = node_cli("keys", "delete", *args)
    check(result, 2)
    assert result.stdout == ""
    assert "--yes" in result.stderr
    assert created["key"] not in result.stderr
    assert [r for r in emulator.received if r["method"] == "DELETE"] == []
    assert created["id"] in keys(node_cli)


@pytest.mark.parametrize(
    "args",
    [(), ("abc", "--id", "x")],
    ids=["neither", "both"],
)
def test_delete_needs_exactly_one_of_key_and_id(node_cli: RunCli, args: tuple[str, ...]) -> None:
    result = node_cli("keys", "delete", *args, "-y")
    check(result, 2)
    assert result.stdout == ""
    assert "--id" in result.stderr


def test_delete_empty_stdin_exits_2(node_cli: RunCli) -> None:
    result = node_cli("keys", "delete", "-", "-y", input="")
    check(result, 2)
    assert "no key on stdin" in result.stderr


@pytest.mark.parametrize("by_id", [False, True], ids=["by-secret", "by-id"])
def test_delete_unknown_exits_5(node_cli: RunCli, by_id: bool) -> None:
    secret = "Unknown-Secret-0123456789abcdef"
    args = ("--id", "0000") if by_id else (secret,)
    result = node_cli("keys", "delete", *args, "-y", "-v")
    check(result, 5)
    assert result.stdout == ""
    assert "not found" in result.stderr
    assert secret not in result.stderr


def test_an_expiry_in_seconds_is_refused_with_a_hint_about_milliseconds(
    node_cli: RunCli, emulator: Any
) -> None:
    emulator.clear_received()
    result = node_cli("keys", "create", "--expiry", "1924992000")
    check(result, 2)
    assert "is in the past" in result.stderr
    assert "looks like seconds; give 1924992000000" in result.stderr
    assert [e for e in emulator.received if e["method"] == "POST"] == []
