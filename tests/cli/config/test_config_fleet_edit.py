"""``config fleet set|add|remove|delete|list``: fleets edited without an editor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli import RunCli, check

from apinode_admin_cli.config import dumps_toml, load_config

PROFILES = {name: {"uri": "http://127.0.0.1:9"} for name in ("a", "b", "c")}


def config(config_home: Path, data: dict[str, Any]) -> Path:
    path = config_home / "apinode-admin" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_toml(data), encoding="utf-8")
    return path


def fleets(path: Path) -> Any:
    return load_config(path).get("fleets")


def test_set_add_remove_delete(run_cli: RunCli, config_home: Path) -> None:
    path = config(config_home, {"profiles": PROFILES})
    result = run_cli("config", "fleet", "set", "prod", "b", "a")
    check(result)
    assert result.stdout == "" and "Created fleet 'prod'" in result.stderr
    assert fleets(path) == {"prod": {"profiles": ["b", "a"]}}
    check(run_cli("config", "fleet", "add", "prod", "c", "a"))
    assert fleets(path) == {"prod": {"profiles": ["b", "a", "c"]}}
    check(run_cli("config", "fleet", "remove", "prod", "b"))
    assert fleets(path) == {"prod": {"profiles": ["a", "c"]}}
    listed = run_cli("config", "fleet", "list", "-o", "json")
    check(listed)
    assert json.loads(listed.stdout) == {"prod": ["a", "c"]}
    check(run_cli("config", "fleet", "delete", "prod", "--yes"))
    assert fleets(path) is None and load_config(path)["profiles"] == PROFILES


def test_a_fleet_made_here_is_one_that_fleet_accepts(run_cli: RunCli, config_home: Path) -> None:
    config(config_home, {"profiles": PROFILES})
    check(run_cli("config", "fleet", "set", "prod", "a", "b"))
    result = run_cli("--fleet", "prod", "config", "show", "-o", "json")
    assert result.exit_code == 0, result.stderr


def test_bad_edits_are_usage_errors_and_change_nothing(run_cli: RunCli, config_home: Path) -> None:
    path = config(config_home, {"profiles": PROFILES, "fleets": {"prod": {"profiles": ["a"]}}})
    before = path.read_bytes()
    cases = [
        (("set", "prod", "a", "zz"), "profile(s) zz not in"),
        (("set", "prod", "a", "a"), "named twice"),
        (("add", "nope", "a"), "fleet 'nope' is not in"),
        (("remove", "prod", "a"), "without profiles"),
        (("remove", "prod", "b"), "does not list b"),
        (("delete", "nope", "--yes"), "known fleets: prod"),
        (("set", "", "a"), "fleet name is empty"),
    ]
    for args, words in cases:
        result = run_cli("config", "fleet", *args)
        assert result.exit_code == 2, (args, result.stderr)
        assert words in result.stderr and "Traceback" not in result.stderr
        assert result.stdout == ""
    assert path.read_bytes() == before


def test_delete_off_a_terminal_needs_yes(run_cli: RunCli, config_home: Path) -> None:
    path = config(config_home, {"profiles": PROFILES, "fleets": {"prod": {"profiles": ["a"]}}})
    result = run_cli("config", "fleet", "delete", "prod")
    assert result.exit_code == 2 and "--yes" in result.stderr
    assert fleets(path) == {"prod": {"profiles": ["a"]}}


def test_a_rewrite_that_drops_comments_says_so(run_cli: RunCli, config_home: Path) -> None:
    path = config(config_home, {"profiles": PROFILES})
    path.write_text("# prod nodes, ask ops before editing\n" + path.read_text())
    result = run_cli("config", "fleet", "set", "prod", "a")
    check(result)
    warned = [line for line in result.stderr.splitlines() if "without its comments" in line]
    assert len(warned) == 1 and str(path) in warned[0]
    # No comment left to lose, or nothing written: nothing said.
    again = run_cli("config", "set", "timeout", "5")
    check(again)
    assert "comments" not in again.stderr
    path.write_text("# kept\n" + path.read_text())
    failed = run_cli("config", "fleet", "add", "prod", "zz")
    assert failed.exit_code == 2 and "comments" not in failed.stderr
    shown = run_cli("config", "show")
    check(shown)
    assert "comments" not in shown.stderr and path.read_text().startswith("# kept\n")
