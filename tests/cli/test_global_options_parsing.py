"""Global options are parsed by click wherever they stand, never by rewriting the line."""

from __future__ import annotations

import io
import json
from typing import Any

import click
from click.testing import CliRunner
from support.cli import RunCli, check, make_runner

from apinode_admin_cli.cli import cli
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import with_global_options
from apinode_admin_cli.cli.common.terminal import Terminal


def _labels(node_cli: RunCli) -> list[Any]:
    result = node_cli("keys", "list", "-o", "json")
    check(result)
    return [k.get("label") for k in json.loads(result.stdout)]


def test_an_option_value_that_looks_like_a_global_stays_a_value(node_cli: RunCli) -> None:
    result = node_cli("keys", "create", "--label", "-q")
    check(result)
    # -q was the label, so the command was not quiet either.
    assert "Created key" in result.stderr
    assert "-q" in _labels(node_cli)
    result = node_cli("keys", "create", "--description", "--uri", "--label", "-v")
    check(result)
    assert "-v" in _labels(node_cli)
    assert "[http]" not in result.stderr


def test_globals_after_the_command_and_the_later_one_wins(node_cli: RunCli) -> None:
    result = node_cli("--retries", "abc", "services", "list", "--retries", "2", "-q")
    check(result)
    result = node_cli("services", "list", "--retries", "abc")
    check(result, 2)
    assert "--retries" in result.stderr


def test_a_command_option_wins_over_a_global_of_the_same_name() -> None:
    seen: dict[str, Any] = {}

    @click.command()
    @click.option("--timeout", "timeout")
    @click.pass_obj
    def own(obj: App, timeout: str) -> None:
        seen.update(timeout=timeout, flags=dict(obj.flags))

    command = with_global_options(own)
    names = [p.name for p in command.params]
    assert names.count("timeout") == 1 and "uri" in names
    runner = make_runner()
    result = runner.invoke(command, ["--timeout", "5", "--uri", "http://h:1"], obj=App())
    assert result.exit_code == 0, result.output
    assert seen["timeout"] == "5"
    assert seen["flags"] == {"uri": "http://h:1"}


def test_globals_are_hidden_from_a_command_help(run_cli: RunCli) -> None:
    result = run_cli("services", "list", "--help")
    check(result)
    assert "--api-key" not in result.stdout
    assert "--output" in result.stdout


def test_a_terminal_of_the_test_shows_the_terminal_paths(emulator: Any) -> None:
    """The app takes a Terminal: TTY output is testable without a pseudo-terminal."""
    out, err = io.StringIO(), io.StringIO()
    terminal = Terminal(stdout=out, stderr=err, stdout_tty=True, stderr_tty=True)
    env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
    result = CliRunner().invoke(
        cli, ["services", "create", "churn"], obj=App(terminal), env=env, catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "Created service churn." in err.getvalue()
    out.truncate(0)
    result = CliRunner().invoke(cli, ["services", "list"], obj=App(terminal), env=env)
    assert result.exit_code == 0
    table = out.getvalue()
    assert "SERVICE" in table and "churn" in table
    assert "\x1b[" in table  # a terminal gets the coloured rich table
    out.truncate(0)
    out.seek(0)
    plain = Terminal(stdout=out, stderr=err, stdout_tty=False)
    result = CliRunner().invoke(cli, ["services", "list"], obj=App(plain), env=env)
    assert result.exit_code == 0
    assert "\x1b[" not in out.getvalue() and "churn" in out.getvalue()


def test_a_prompt_through_the_terminal(emulator: Any) -> None:
    """Confirmation asks on a terminal (stdin and stderr are TTYs) and honours the answer."""
    env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
    runner = CliRunner()
    check(runner.invoke(cli, ["services", "create", "churn"], obj=App(), env=env))
    terminal = Terminal(stdin_tty=True, stderr_tty=True)
    result = runner.invoke(
        cli, ["services", "delete", "churn"], obj=App(terminal), env=env, input="n\n"
    )
    check(result, 1)
    assert "cancelled" in result.output
    result = runner.invoke(
        cli, ["services", "delete", "churn"], obj=App(terminal), env=env, input="y\n"
    )
    check(result)
    assert emulator.app.store.read()["services"] == {}
