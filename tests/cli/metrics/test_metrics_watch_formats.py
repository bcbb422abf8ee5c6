"""``metrics watch -o FORMAT`` and ``--json``: the data command's output options."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from support.cli import RunCli

from apinode_admin_cli.cli import cli
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.terminal import Terminal

FAST = ("--count", "2", "--interval", "0.1")


def on_terminal(emulator: Any, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    app = App(Terminal(stdout=out, stderr=err, stdout_tty=True, stderr_tty=False))
    env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
    result = CliRunner().invoke(cli, ["metrics", "watch", *args], obj=app, env=env)
    return result.exit_code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("flag", [("--json",), ("-o", "json"), ("--output", "JSON")])
def test_json_lines_on_a_terminal_when_asked(emulator: Any, flag: tuple[str, ...]) -> None:
    code, out, err = on_terminal(emulator, *flag, *FAST)
    assert (code, err) == (0, "")
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2 and "\x1b[" not in out
    assert set(lines[1]) == {"time", "node", "error", "metrics", "rates"}
    # The admin API counts the watch's own requests: the second poll sees them change.
    assert lines[1]["metrics"]["admin.requests"] > lines[0]["metrics"]["admin.requests"]


def test_tsv_lines_name_time_node_metric_value_change_and_rate(node_cli: RunCli) -> None:
    result = node_cli("metrics", "watch", "-o", "tsv", *FAST)
    assert (result.exit_code, result.stderr) == (0, "")
    head, *rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert head == ["TIME", "NODE", "METRIC", "VALUE", "CHANGE", "RATE/S"]
    assert all(len(row) == 6 for row in rows)
    requests = [row for row in rows if row[2] == "admin.requests"]
    # First answer: every metric, nothing to compare yet; then what changed, with its rate.
    assert requests[0][1:] == ["-", "admin.requests", requests[0][3], "", ""]
    assert requests[1][4].startswith("+") and float(requests[1][5]) > 0


def test_no_headers_and_plain(node_cli: RunCli) -> None:
    result = node_cli("metrics", "watch", "-o", "plain", "--no-headers", *FAST)
    assert result.exit_code == 0
    assert "TIME" not in result.stdout and "\tadmin.requests\t" in result.stdout


def test_a_table_off_a_terminal_is_printed_once_per_poll(node_cli: RunCli) -> None:
    result = node_cli("metrics", "watch", "-o", "table", *FAST)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.count("RATE/S") == 2 and "\x1b[" not in result.stdout


def test_a_node_down_in_tsv_is_said_on_stderr(run_cli: RunCli) -> None:
    from support.cli import closed_port_uri

    env = {"APINODE_ADMIN_URI": closed_port_uri(), "APINODE_ADMIN_API_KEY": "k"}
    result = run_cli("metrics", "watch", "-o", "tsv", "--count", "1", env=env)
    assert result.exit_code == 7
    assert result.stdout == "TIME\tNODE\tMETRIC\tVALUE\tCHANGE\tRATE/S\n"
    assert "not answering" in result.stderr and "Traceback" not in result.stderr
