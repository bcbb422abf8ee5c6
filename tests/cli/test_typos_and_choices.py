"""Top-level typos get a suggestion; choice values take any case and send the canonical one."""

from __future__ import annotations

from typing import Any

import pytest
from support.cli import RunCli, check


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("servces", "services"), ("genrations", "generations"), ("sevice-list", "services-list")],
)
def test_a_top_level_typo_gets_a_suggestion(run_cli: RunCli, typed: str, meant: str) -> None:
    result = run_cli(typed, "list")
    check(result, 2)
    assert result.stdout == ""
    assert f"No such command '{typed}'. Did you mean '{meant}'?" in result.stderr


def test_no_suggestion_when_nothing_is_close(run_cli: RunCli) -> None:
    result = run_cli("xyzzy")
    check(result, 2)
    assert "No such command 'xyzzy'." in result.stderr
    assert "Did you mean" not in result.stderr


@pytest.mark.parametrize(
    ("given", "sent"), [("Python", "python"), ("r", "R"), ("PYTHON", "python")]
)
def test_language_is_case_insensitive(
    node_cli: RunCli, emulator: Any, tmp_path: Any, given: str, sent: str
) -> None:
    folder = tmp_path / "env"
    folder.mkdir()
    emulator.clear_received()
    check(node_cli("code-envs", "import", str(folder), "--language", given))
    (request,) = [r for r in emulator.received if r["method"] == "POST"]
    assert request["query"]["language"] == sent


def test_other_choices_are_case_insensitive(run_cli: RunCli, node_cli: RunCli) -> None:
    check(run_cli("completion", "BASH"))
    check(node_cli("services", "list", "-o", "JSON"))
    result = node_cli("services-clean", "--output", "JSON")
    check(result)
    assert result.stdout.startswith("{")
