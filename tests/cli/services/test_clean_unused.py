"""``services clean-unused``: the expected deletions first, --dry-run, readable results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from support.cli import RunCli, check

from apinode_admin_cli.cli import cli
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.client import APINodeAdminClient


@pytest.fixture
def node(emulator: Any, make_archive: Callable[..., Path]) -> APINodeAdminClient:
    """churn serves v2 (v1, v3 idle); canary splits a and b; old is disabled with one generation."""
    with APINodeAdminClient(emulator.uri, emulator.admin_key) as client:
        for sid in ("churn", "canary", "old"):
            client.create_service(sid)
        for gen in ("v1", "v2", "v3"):
            client.service("churn").import_generation_from_archive(str(make_archive(gen)))
        client.service("churn").switch_to_single_generation("v2")
        for gen in ("a", "b"):
            client.service("canary").import_generation_from_archive(str(make_archive(gen)))
        client.service("canary").set_generations_mapping(
            {"entries": [{"generation": "a", "proba": 0.5}, {"generation": "b", "proba": 0.5}]}
        )
        client.service("old").import_generation_from_archive(str(make_archive("v1")))
        client.service("old").disable()
        emulator.clear_received()
        yield client


EXPECTED_ROWS = [
    "KIND\tSERVICE\tGENERATION\tCODE ENV\tNOTE",
    "generation\tchurn\tv1\t\ttakes no traffic",
    "generation\tchurn\tv3\t\ttakes no traffic",
    "service\told\t\t\tdisabled; its 1 generation(s) go with it",
]


def test_dry_run_lists_the_expected_deletions_and_changes_nothing(
    node_cli: RunCli, node: Any, emulator: Any
) -> None:
    result = node_cli("services", "clean-unused", "--dry-run", "-o", "tsv")
    check(result)
    assert result.stdout.splitlines() == EXPECTED_ROWS
    assert "expected to delete 3 item(s)" in result.stderr
    assert "nothing was changed" in result.stderr
    assert {r["method"] for r in emulator.received} == {"GET"}
    assert len(node.service("churn").list_generations()) == 3


def test_dry_run_json(node_cli: RunCli, node: Any) -> None:
    result = node_cli("services", "clean-unused", "--dry-run", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == {
        "dryRun": True,
        "deletedServices": ["old"],
        "deletedGenerations": [
            {"serviceId": "churn", "generationId": "v1"},
            {"serviceId": "churn", "generationId": "v3"},
        ],
    }


def test_the_question_comes_after_the_list(node: Any, emulator: Any) -> None:
    env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
    terminal = Terminal(stdin_tty=True, stderr_tty=True)
    result = CliRunner().invoke(
        cli, ["services", "clean-unused"], obj=App(terminal), env=env, input="n\n"
    )
    check(result, 1)
    text = result.output
    listed = text.index("The node is expected to delete")
    assert listed < text.index("generation v1 of service churn (takes no traffic)")
    assert text.index("service old (disabled") < text.index("Delete disabled services")
    assert "unused code envs go too" in text
    assert "cancelled" in text
    assert not [r for r in emulator.received if r["method"] == "DELETE"]


def test_the_result_renders_as_rows(node_cli: RunCli, node: Any) -> None:
    result = node_cli("services", "clean-unused", "-y", "-o", "tsv")
    check(result)
    assert "deletedGenerations.0" not in result.stdout
    assert result.stdout.splitlines() == [
        "KIND\tSERVICE\tGENERATION\tCODE ENV\tNOTE",
        "service\told\t\t\t",
        "generation\tchurn\tv1\t\t",
        "generation\tchurn\tv3\t\t",
    ]


def test_the_result_json_is_the_node_s_answer(node_cli: RunCli, node: Any) -> None:
    result = node_cli("services", "clean-unused", "-y", "-o", "json")
    check(result)
    answer = json.loads(result.stdout)
    assert answer["deletedServices"] == ["old"]
    assert answer["ok"] is True
