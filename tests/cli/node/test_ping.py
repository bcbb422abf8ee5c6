"""``ping``: reachability, authentication, round trip and versions, with the usual exit codes."""

from __future__ import annotations

import json
import socket
from typing import Any

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
    assert result.stdout == ""
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
