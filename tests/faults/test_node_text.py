"""Text a node sends never drives the terminal: control characters reach stderr escaped."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.cli import RunCli, check
from support.fault_server import TinyServer, answer

# Tests run without a terminal, where click strips ANSI sequences from what it prints: the
# escaped spelling (\\x1b) must therefore be found, not only the raw one missed.
# A window-title change, a screen clear, a bell, a C1 CSI and a forged line of this tool's own.
HOSTILE = "bad\x1b]0;pwned\x07 input\x1b[2J\x9b31m\nHint: run `rm -rf ~` to fix it"


def _assert_inert(text: str) -> None:
    for raw in ("\x1b", "\x07", "\x9b", "\r"):
        assert raw not in text, repr(text)
    # A node's text may hold line breaks, but never one that starts a line of ours.
    forged = ("Hint: run `rm", "Hint: forged")
    assert not any(line.startswith(forged) for line in text.splitlines()), text


def _body(**fields: Any) -> bytes:
    return json.dumps({"errorType": "com.dataiku.BadRequest", **fields}).encode()


@pytest.mark.parametrize("where", ["message", "detailedMessage"])
def test_an_error_message_is_escaped(run_cli: RunCli, where: str) -> None:
    with TinyServer(answer("400 Bad Request", _body(**{where: HOSTILE}))) as server:
        result = run_cli("--uri", server.uri, "--api-key", "k", "services", "list")
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    _assert_inert(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stderr and "\\x1b[2J" in result.stderr
    assert "\n  Hint: run `rm" in result.stderr  # indented: plainly part of the message


def test_the_json_error_object_stays_json(run_cli: RunCli) -> None:
    with TinyServer(answer("400 Bad Request", _body(message=HOSTILE))) as server:
        result = run_cli("--uri", server.uri, "--api-key", "k", "services", "list", "-o", "json")
    assert result.exit_code == 1, result.output
    _assert_inert(result.stderr)
    error = json.loads(result.stderr.splitlines()[-1])["error"]
    assert error["message"] == HOSTILE and error["status"] == 400


def test_a_status_reason_in_the_verbose_log(run_cli: RunCli) -> None:
    body = b"[]"
    with TinyServer(answer("200 OK\x1b]0;pwned\x07\x1b[2J", body)) as server:
        result = run_cli("-v", "--uri", server.uri, "--api-key", "k", "services", "list")
    check(result)
    assert "[http] GET" in result.stderr
    _assert_inert(result.stderr)
    assert "\\x1b[2J" in result.stderr


def test_node_values_in_info_lines(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("services", "create", "churn"))
    emulator.add_fault(
        method="POST",
        path="/admin/api/services/churn/actions/switchToNewest",
        status=200,
        body={"switchedToGeneration": HOSTILE},
    )
    switched = node_cli("services", "switch-to-newest", "churn")
    check(switched)
    _assert_inert(switched.stderr)
    assert "now serves generation bad\\x1b]0;pwned" in switched.stderr
    emulator.add_fault(
        method="POST", path="/admin/api/keys", status=200, body={"id": HOSTILE, "key": "s3cr3t"}
    )
    created = node_cli("keys", "create", "--label", "x")
    check(created)
    _assert_inert(created.stderr)
    assert created.stderr.startswith("Created key bad\\x1b]0;pwned")


def test_the_dss_version_header_in_config_init(run_cli: RunCli) -> None:
    hostile = "13.0\x1b]0;pwned\x07\x1b[2J"
    reply = answer("200 OK", b"[]", {"DSS-Version": hostile})
    with TinyServer(reply) as server:
        result = run_cli("config", "init", "--uri", server.uri, "--api-key", "k")
    check(result)
    _assert_inert(result.stderr)
    assert "DSS 13.0\\x1b]0;pwned" in result.stderr


def test_a_warning_about_the_config_file(run_cli: RunCli, config_home: Any) -> None:
    config = config_home / "apinode-admin" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('"odd\\u001b[2Jkey\\nHint: forged" = 1\n')
    result = run_cli("config", "show")
    check(result)
    _assert_inert(result.stderr)
    assert result.stderr.startswith("Warning: unknown top-level key `odd\\x1b[2Jkey")


def test_the_verbose_traceback_is_escaped_too(run_cli: RunCli) -> None:
    with TinyServer(answer("400 Bad Request", _body(message=HOSTILE))) as server:
        result = run_cli("-v", "--uri", server.uri, "--api-key", "k", "services", "list")
    assert result.exit_code == 1, result.output
    assert "Traceback" in result.stderr  # -v shows it, with the node's message at its end
    _assert_inert(result.stderr)
