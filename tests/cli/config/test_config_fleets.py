"""Fleets in the config file: the checks of the contract, config fleets, completion."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check, clean_env

from apinode_admin_cli.config import dumps_toml


def write(config_home: Path, data: dict[str, Any]) -> None:
    path = config_home / "apinode-admin" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_toml(data), encoding="utf-8")


PROFILES = {"a": {"uri": "http://127.0.0.1:9"}, "b": {"uri": "http://127.0.0.1:9"}}


@pytest.mark.parametrize(
    "fleets, words",
    [
        ({"prod": {"profiles": ["a", "b"]}}, ["fleet 'nope'", "known fleets: prod"]),
        ({}, ["fleet 'nope'", "known fleets: none"]),
    ],
)
def test_an_unknown_fleet_is_a_config_error_naming_the_known(
    run_cli: RunCli, config_home: Path, fleets: dict[str, Any], words: list[str]
) -> None:
    write(config_home, {"profiles": PROFILES, "fleets": fleets})
    for how in (("--fleet", "nope"), ()):
        env = {} if how else {"APINODE_ADMIN_FLEET": "nope"}
        result = run_cli(*how, "services", "list", env=env)
        check(result, 3)
        for word in words:
            assert word in result.stderr


@pytest.mark.parametrize(
    "fleet, words",
    [
        ({"profiles": []}, ["has no profiles"]),
        ({"profiles": ["a", "ghost"]}, ["unknown profile(s) ghost", "known profiles: a, b"]),
        ({"profiles": ["a", "a"]}, ["twice"]),
        ({"profiles": "a"}, ["list of profile names"]),
        ({"members": ["a"]}, ["list of profile names"]),
    ],
)
def test_a_wrong_fleet_is_a_config_error(
    run_cli: RunCli, config_home: Path, fleet: dict[str, Any], words: list[str]
) -> None:
    write(config_home, {"profiles": PROFILES, "fleets": {"prod": fleet}})
    result = run_cli("--fleet", "prod", "services", "list")
    check(result, 3)
    for word in words:
        assert word in result.stderr


@pytest.mark.parametrize(
    "flag",
    [("--profile", "a"), ("--uri", "http://h:1"), ("--api-key", "k"), ("--api-key-file", "f")],
)
def test_fleet_with_one_node_flags_is_a_usage_error(
    run_cli: RunCli, config_home: Path, flag: tuple[str, str]
) -> None:
    write(config_home, {"profiles": PROFILES, "fleets": {"prod": {"profiles": ["a", "b"]}}})
    result = run_cli("--fleet", "prod", *flag, "services", "list")
    check(result, 2)
    assert flag[0] in result.stderr and "--fleet" in result.stderr


def test_a_fleet_from_the_environment_yields_to_a_profile_flag(
    make_fleet: Callable[..., Any], run_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2")
    result = run_cli(
        "--profile", "n2", "services", "create", "churn", env={"APINODE_ADMIN_FLEET": "prod"}
    )
    check(result)
    assert list(fleet.node("n2").app.store.read()["services"]) == ["churn"]
    assert list(fleet.node("n1").app.store.read()["services"]) == []
    both = run_cli("services", "list", "-o", "json", env={"APINODE_ADMIN_FLEET": "prod"})
    check(both)
    assert [item["node"] for item in json.loads(both.stdout)] == ["n1", "n2"]


def test_uri_and_key_from_the_environment_are_ignored_with_a_warning(
    make_fleet: Callable[..., Any], run_cli: RunCli
) -> None:
    make_fleet("n1", "n2")
    env = {"APINODE_ADMIN_URI": "http://127.0.0.1:9", "APINODE_ADMIN_API_KEY": "elsewhere-1234"}
    result = run_cli("--fleet", "prod", "services", "list", "-o", "json", env=env)
    check(result)
    assert [item["outcome"] for item in json.loads(result.stdout)] == ["ok", "ok"]
    assert "APINODE_ADMIN_URI, APINODE_ADMIN_API_KEY ignored with a fleet" in result.stderr


@pytest.mark.parametrize("value", ["0", "1025", "x"])
def test_parallel_is_checked(run_cli: RunCli, value: str) -> None:
    result = run_cli("--parallel", value, "services", "list")
    check(result, 2)
    assert (
        "--parallel" in result.stderr
        and "from 1 to 1024" in result.stderr
        or "integer" in result.stderr
    )


def test_config_fleets_lists_them(run_cli: RunCli, config_home: Path) -> None:
    write(
        config_home,
        {
            "profiles": PROFILES,
            "fleets": {"prod": {"profiles": ["a", "b"]}, "one": {"profiles": ["b"]}},
        },
    )
    result = run_cli("config", "fleets", "-o", "tsv")
    check(result)
    assert result.stdout.splitlines() == ["FLEET\tPROFILES", "prod\ta, b", "one\tb"]
    as_json = run_cli("config", "fleets", "-o", "json")
    assert json.loads(as_json.stdout) == {"prod": ["a", "b"], "one": ["b"]}


def test_a_config_set_keeps_the_fleets(run_cli: RunCli, config_home: Path) -> None:
    write(config_home, {"profiles": PROFILES, "fleets": {"prod": {"profiles": ["a", "b"]}}})
    check(run_cli("--profile", "a", "config", "set", "timeout", "5"))
    result = run_cli("config", "fleets", "-o", "json")
    assert json.loads(result.stdout) == {"prod": ["a", "b"]}


def test_completion_offers_fleet_and_profile_names(config_home: Path) -> None:
    write(
        config_home,
        {
            "profiles": PROFILES,
            "fleets": {"prod": {"profiles": ["a"]}, "preprod": {"profiles": ["b"]}},
        },
    )
    cases = (
        (["--fleet", "pr"], ["preprod", "prod"]),
        (["services", "list", "--profile", ""], ["a", "b"]),
    )
    for words, expected in cases:
        env = clean_env(
            config_home,
            _APINODE_ADMIN_COMPLETE="bash_complete",
            COMP_WORDS=" ".join(["apinode-admin", *words]),
            COMP_CWORD=str(len(words)),
        )
        proc = subprocess.run(
            [sys.executable, "-m", "apinode_admin_cli"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        offered = sorted(line.split(",", 1)[1] for line in proc.stdout.splitlines())
        assert offered == expected, proc.stdout + proc.stderr


def drop_setting(fleet: Any, node: str, setting: str) -> None:
    """Rewrite the fleet's config file without one node's ``uri`` or ``api_key``."""
    profiles = {
        name: {"uri": fleet.uris[name], "api_key": fleet.node(name).admin_key}
        for name in fleet.nodes
    }
    del profiles[node][setting]
    data = {"profiles": profiles, "fleets": {"prod": {"profiles": list(profiles)}}}
    fleet.config.write_text(dumps_toml(data), encoding="utf-8")


@pytest.mark.parametrize("setting", ["uri", "api_key"])
def test_a_node_without_uri_or_key_stops_the_fleet_before_any_change(
    make_fleet: Callable[..., Any], run_cli: RunCli, setting: str
) -> None:
    fleet = make_fleet("n1", "n2", "n3")
    drop_setting(fleet, "n2", setting)
    result = run_cli("--fleet", "prod", "services", "create", "churn")
    check(result, 3)
    assert "profile 'n2'" in result.stderr
    assert result.stdout == ""
    # A config error is found before any request, as a missing key file is: no node changed.
    for name in ("n1", "n3"):
        assert list(fleet.node(name).app.store.read()["services"]) == []


@pytest.mark.parametrize("content", [None, ""])
def test_an_unusable_key_file_names_its_node(
    make_fleet: Callable[..., Any], run_cli: RunCli, tmp_path: Path, content: Any
) -> None:
    fleet = make_fleet("n1", "n2")
    key_file = tmp_path / "n2.key"
    if content is not None:
        key_file.write_text(content, encoding="utf-8")
    profiles = {name: {"uri": fleet.uris[name]} for name in fleet.nodes}
    profiles["n1"]["api_key"] = fleet.node("n1").admin_key
    profiles["n2"]["api_key_file"] = str(key_file)
    data = {"profiles": profiles, "fleets": {"prod": {"profiles": ["n1", "n2"]}}}
    fleet.config.write_text(dumps_toml(data), encoding="utf-8")
    result = run_cli("--fleet", "prod", "services", "list")
    check(result, 3)
    assert result.stdout == ""
    # The path alone does not say which node is broken: the message names it.
    assert "node n2 of fleet prod" in result.stderr, result.stderr
    assert str(key_file) in result.stderr


@pytest.mark.parametrize(
    "command", [["services", "list"], ["services", "rollout", "churn", "v1", "--dry-run"]]
)
def test_a_refused_key_hints_at_the_profile_not_at_flags_a_fleet_refuses(
    make_fleet: Callable[..., Any], run_cli: RunCli, command: list[str]
) -> None:
    fleet = make_fleet("n1", "n2")
    text = fleet.config.read_text(encoding="utf-8")
    key = fleet.node("n1").admin_key
    assert key in text
    fleet.config.write_text(text.replace(key, "not-the-key-of-n1"), encoding="utf-8")
    result = run_cli("--fleet", "prod", *command)
    check(result, 4)
    hint = result.stderr.split("Hint: ", 1)[1]
    # --api-key is refused with --fleet and the variables are ignored: point at the profile.
    assert "--api-key" not in hint and "APINODE_ADMIN_API_KEY" not in hint, result.stderr
    assert "profile" in hint and "n1" in result.stderr, result.stderr


def test_predictions_on_a_fleet_need_no_admin_key(
    make_fleet: Callable[..., Any], run_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    fleet = make_fleet("n1", "n2")
    archive = str(make_archive("v1"))
    check(run_cli("--fleet", "prod", "-q", "services", "create", "churn"))
    check(run_cli("--fleet", "prod", "-q", "generations", "import", "churn", archive, "--activate"))
    drop_setting(fleet, "n2", "api_key")
    result = run_cli("--fleet", "prod", "predict", "churn", "score", "a=1", "-o", "json")
    check(result)
    assert [item["outcome"] for item in json.loads(result.stdout)] == ["ok", "ok"]


def test_a_warning_about_the_config_file_is_shown_once(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2", "n3")
    fleet.config.chmod(0o644)
    result = fleet_cli("services", "list")
    check(result)
    assert result.stderr.count("accessible by others") == 1, result.stderr


def test_each_node_keeps_its_profile_settings_and_flags_apply_to_all(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2", latency={"n1": 500, "n2": 500})
    # Only n2's profile has a timeout shorter than the nodes' latency.
    text = fleet.config.read_text(encoding="utf-8")
    marker = f'uri = "{fleet.uris["n2"]}"'
    assert marker in text
    fleet.config.write_text(text.replace(marker, f"{marker}\ntimeout = 0.2"), encoding="utf-8")
    result = fleet_cli("services", "list", "-o", "json")
    check(result, 7)
    assert [item["outcome"] for item in json.loads(result.stdout)] == ["ok", "failed"]
    # A flag on the command line is for every node: it overrides the profile's timeout.
    check(fleet_cli("--timeout", "5", "services", "list"))


def test_disabled_certificate_checks_are_announced_once_even_quiet(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    make_fleet("n1", "n2", "n3")
    result = fleet_cli("-q", "--no-check-certificate", "services", "list")
    check(result)
    warning = "Warning: TLS certificate verification is disabled (--no-check-certificate)."
    assert result.stderr.splitlines().count(warning) == 1, result.stderr


def test_config_show_under_a_fleet_shows_each_nodes_own_settings(
    make_fleet: Any, fleet_cli: RunCli
) -> None:
    """Issue 22, smaller things: it showed the default profile, in effect for no node."""
    fleet = make_fleet("n1", "n2")
    result = fleet_cli("config", "show", "-o", "json")
    check(result)
    shown = json.loads(result.stdout)
    assert list(shown) == ["n1", "n2"]
    for name in ("n1", "n2"):
        assert shown[name]["uri"]["value"] == fleet.uris[name]
        assert shown[name]["profile"]["value"] == name
        assert fleet.node(name).admin_key not in result.stdout
    table = fleet_cli("config", "show", "-o", "tsv")
    check(table)
    assert "# n1 (fleet prod)" in table.stdout and "# n2 (fleet prod)" in table.stdout
