"""``ping``: reachability, authentication, round trip and versions, with the usual exit codes."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from support.cli import RunCli


def closed_port_uri() -> str:
    """A loopback URI where nothing listens: the port was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_ping_reports_node_and_versions(node_cli: RunCli, emulator: Any) -> None:
    result = node_cli("ping")
    assert result.exit_code == 0, result.output
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines()[1:] if " " in line)
    assert lines["uri"].strip() == emulator.uri
    assert lines["alive"].strip() == "true"
    assert lines["authenticated"].strip() == "true"
    assert lines["DSS-Version"].strip() not in ("", "-")
    assert "round trip" in result.stdout and " ms" in result.stdout
    assert emulator.admin_key not in result.output


def test_ping_json_is_one_object(node_cli: RunCli, emulator: Any) -> None:
    result = node_cli("ping", "-o", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["uri"] == emulator.uri
    assert report["alive"] is True and report["authenticated"] is True
    assert report["status"] == 200
    assert isinstance(report["elapsedMs"], float) and report["elapsedMs"] >= 0
    assert report["dssVersion"] and report["dssApiVersion"]
    assert result.stderr == ""


def test_ping_refused_key_exits_4(run_cli: RunCli, emulator: Any) -> None:
    result = run_cli("--uri", emulator.uri, "--api-key", "not-the-key", "ping", "-o", "json")
    assert result.exit_code == 4, result.output
    # The report says so on stdout (`authenticated` false), the error on stderr.
    assert json.loads(result.stdout)["authenticated"] is False
    assert "refused the admin key" in result.stderr
    assert '"status": 401' in result.stderr
    assert "not-the-key" not in result.output


def test_ping_unreachable_exits_7(run_cli: RunCli) -> None:
    uri = closed_port_uri()
    result = run_cli("--uri", uri, "--api-key", "k", "--retries", "1", "ping")
    assert result.exit_code == 7, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


def test_ping_without_settings_exits_3(run_cli: RunCli) -> None:
    result = run_cli("ping")
    assert result.exit_code == 3, result.output
    assert result.stdout == ""
    assert "--uri" in result.stderr and "APINODE_ADMIN_URI" in result.stderr


def test_ping_without_key_exits_3(run_cli: RunCli, emulator: Any) -> None:
    result = run_cli("--uri", emulator.uri, "ping")
    assert result.exit_code == 3, result.output
    assert "APINODE_ADMIN_API_KEY" in result.stderr


@pytest.mark.parametrize("output", ["json", "tsv"])
def test_ping_with_a_refused_key_still_prints_its_report(
    run_cli: RunCli, emulator: Any, output: str
) -> None:
    """`authenticated` false is printed too (issue 22 item 9): before, stdout was empty."""
    result = run_cli("--uri", emulator.uri, "--api-key", "wrong-key-0000", "ping", "-o", output)
    assert result.exit_code == 4, result.output
    assert "refused the admin key" in result.stderr
    if output == "json":
        report = json.loads(result.stdout)
        assert report["authenticated"] is False and report["alive"] is True
        assert report["status"] in (401, 403)
    else:
        assert "authenticated\tfalse" in result.stdout.splitlines()


def test_ping_on_a_fleet_keeps_the_report_of_a_node_that_refused_the_key(
    make_fleet: Any, fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2")
    key = fleet.node("n2").admin_key
    text = fleet.config.read_text(encoding="utf-8")
    fleet.config.write_text(text.replace(key, "not-the-key-of-n2"), encoding="utf-8")
    result = fleet_cli("ping", "-o", "json")
    assert result.exit_code == 4, result.output
    n2 = json.loads(result.stdout)[1]
    assert n2["outcome"] == "failed" and n2["result"]["authenticated"] is False
