"""Output formats of the list commands: table, plain, tsv, json, headers, env/config choice."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
import requests
from support.cli import RunCli, check

ESC = "\x1b"
# Everything that could talk a library into colouring output that is not a terminal.
COLOUR_PLEASE = {"FORCE_COLOR": "1", "CLICOLOR_FORCE": "1", "TERM": "xterm-256color"}


def direct_get(emulator: Any, path: str) -> requests.Response:
    answer = requests.get(
        f"{emulator.uri}/admin/api/{path}", auth=(emulator.admin_key, ""), timeout=10
    )
    assert answer.status_code == 200, answer.text
    return answer


@pytest.fixture
def two_services(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "churn"))
    check(node_cli("services", "create", "fraud"))
    check(node_cli("services", "disable", "fraud"))


@pytest.fixture
def utc_plus_0530(local_tz: Callable[[str], None]) -> timezone:
    """Local time is UTC+05:30 (a POSIX TZ string: no tz database needed)."""
    local_tz("IST-05:30")
    return timezone(timedelta(hours=5, minutes=30))


# -- the four formats -------------------------------------------------------------------------


def test_plain_is_the_default_off_a_terminal(node_cli: RunCli, two_services: None) -> None:
    result = node_cli("services", "list")
    check(result)
    assert result.stdout.splitlines() == [
        "SERVICE    ENABLED",
        "churn      true",
        "fraud      false",
    ]
    assert result.stderr == ""
    assert node_cli("services", "list", "-o", "plain").stdout == result.stdout


def test_tsv(node_cli: RunCli, two_services: None) -> None:
    result = node_cli("services", "list", "-o", "tsv")
    check(result)
    assert result.stdout == "SERVICE\tENABLED\nchurn\ttrue\nfraud\tfalse\n"
    result = node_cli("services", "list", "-o", "tsv", "--no-headers")
    check(result)
    assert result.stdout == "churn\ttrue\nfraud\tfalse\n"


def test_table_off_a_terminal_has_no_colour(node_cli: RunCli, two_services: None) -> None:
    result = node_cli("services", "list", "-o", "table", env=COLOUR_PLEASE)
    check(result)
    assert ESC not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SERVICE", "ENABLED"]
    assert [line.split() for line in lines[2:]] == [["churn", "true"], ["fraud", "false"]]
    result = node_cli("services", "list", "-o", "table", "--no-headers")
    check(result)
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["churn", "true"],
        ["fraud", "false"],
    ]


def test_plain_no_headers(node_cli: RunCli, two_services: None) -> None:
    result = node_cli("services", "list", "--no-headers")
    check(result)
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["churn", "true"],
        ["fraud", "false"],
    ]


@pytest.mark.parametrize("fmt", ["plain", "tsv", "table"])
def test_empty_list_prints_the_header_alone(node_cli: RunCli, fmt: str) -> None:
    result = node_cli("services", "list", "-o", fmt)
    check(result)
    header, *rest = result.stdout.splitlines()
    assert header.split() == ["SERVICE", "ENABLED"]
    assert rest == [] or (fmt == "table" and set("".join(rest)) <= {"─", " "})
    result = node_cli("services", "list", "-o", fmt, "--no-headers")
    check(result)
    assert result.stdout == ""


@pytest.mark.parametrize("how", [("-o", "json"), ("--json",), ("--output=json",)])
def test_json_is_exactly_the_node_s_answer(
    node_cli: RunCli, emulator: Any, two_services: None, how: tuple[str, ...]
) -> None:
    result = node_cli("services", "list", *how)
    check(result)
    direct = direct_get(emulator, "services").json()
    assert json.loads(result.stdout) == direct
    assert result.stdout == json.dumps(direct, indent=2, ensure_ascii=False) + "\n"
    assert result.stderr == ""


def test_json_empty_list_is_brackets(node_cli: RunCli, emulator: Any) -> None:
    result = node_cli("services", "list", "-o", "json")
    check(result)
    assert result.stdout == "[]\n"
    assert direct_get(emulator, "services").json() == []


def test_keys_json_matches_a_direct_get(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("keys", "create", "--label", "ci", "--expiry", "2030-01-31"))
    result = node_cli("keys", "list", "--json")
    check(result)
    assert json.loads(result.stdout) == direct_get(emulator, "keys").json()


def test_generations_json_is_the_node_s_answer(
    node_cli: RunCli, emulator: Any, make_archive: Callable[..., Path]
) -> None:
    check(node_cli("services", "create", "churn"))
    check(node_cli("generations", "import", "churn", str(make_archive("v1")), "--activate"))
    result = node_cli("generations", "list", "churn", "-o", "json")
    check(result)
    # The node's whole answer, {"generations": [...]}, exactly as received.
    assert json.loads(result.stdout) == direct_get(emulator, "services/churn/generations").json()


def test_metrics_json_stays_nested(node_cli: RunCli) -> None:
    result = node_cli("metrics", "show", "-o", "json")
    check(result)
    metrics = json.loads(result.stdout)
    assert isinstance(metrics["admin"], dict)
    assert "admin.requests" not in metrics


# -- timestamps -------------------------------------------------------------------------------


def test_epoch_ms_is_local_iso_in_text_and_raw_in_json(
    node_cli: RunCli, utc_plus_0530: timezone
) -> None:
    check(node_cli("keys", "create", "--label", "ci", "--expiry", "2030-01-31T12:00:00Z"))
    listed = json.loads(node_cli("keys", "list", "-o", "json").stdout)
    (key,) = [k for k in listed if k["label"] == "ci"]
    assert key["expiry"] == 1896091200000
    local = "2030-01-31T17:30:00+05:30"
    assert datetime.fromtimestamp(key["expiry"] / 1000, utc_plus_0530).isoformat() == local
    tsv = node_cli("keys", "list", "-o", "tsv", "--no-headers")
    check(tsv)
    (row,) = [line.split("\t") for line in tsv.stdout.splitlines() if "\tci\t" in line]
    assert row[-1] == local
    plain = node_cli("keys", "list", "-o", "plain")
    check(plain)
    (line,) = [line for line in plain.stdout.splitlines() if " ci " in line]
    assert line.split()[-1] == local


# -- how the format is chosen -----------------------------------------------------------------


def test_env_chooses_the_format(node_cli: RunCli, two_services: None) -> None:
    result = node_cli("services", "list", env={"APINODE_ADMIN_OUTPUT": "json"})
    check(result)
    assert [s["serviceId"] for s in json.loads(result.stdout)] == ["churn", "fraud"]
    result = node_cli("services", "list", "-o", "tsv", env={"APINODE_ADMIN_OUTPUT": "json"})
    check(result)
    assert result.stdout.startswith("SERVICE\tENABLED")


def test_config_chooses_the_format(
    node_cli: RunCli, emulator: Any, two_services: None, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.default]\noutput = "tsv"\n')
    env = {"APINODE_ADMIN_CONFIG": str(config)}
    result = node_cli("services", "list", env=env)
    check(result)
    assert result.stdout.startswith("SERVICE\tENABLED\n")
    result = node_cli("services", "list", env={**env, "APINODE_ADMIN_OUTPUT": "json"})
    check(result)
    held = emulator.app.store.read()["services"]
    assert json.loads(result.stdout) == [
        {"serviceId": sid, "enabled": held[sid]["enabled"]} for sid in sorted(held)
    ]
    result = node_cli("services", "list", "-o", "plain", env=env)
    check(result)
    assert "\t" not in result.stdout


def test_unknown_format_is_a_usage_error(node_cli: RunCli) -> None:
    result = node_cli("services", "list", "-o", "yaml")
    check(result, 2)
    assert result.stdout == ""
    assert "yaml" in result.stderr


def test_invalid_output_env_is_a_configuration_error(node_cli: RunCli) -> None:
    result = node_cli("services", "list", env={"APINODE_ADMIN_OUTPUT": "yaml"})
    check(result, 3)
    assert result.stdout == ""
    assert "APINODE_ADMIN_OUTPUT" in result.stderr


# -- no escape sequences, data only on stdout -------------------------------------------------


@pytest.mark.parametrize("fmt", ["plain", "tsv", "json", "table"])
def test_no_ansi_even_when_colour_is_allowed(
    node_cli: RunCli, two_services: None, fmt: str
) -> None:
    for args in (("services", "list"), ("keys", "list"), ("metrics", "show")):
        result = node_cli(*args, "-o", fmt, env=COLOUR_PLEASE)
        check(result)
        assert ESC not in result.stdout and ESC not in result.stderr


def test_escape_sequences_from_the_node_are_neutralised(node_cli: RunCli) -> None:
    label = "evil\x1b[31mred\ttab"
    check(node_cli("keys", "create", "--label", label))
    for fmt in ("plain", "tsv", "table"):
        result = node_cli("keys", "list", "-o", fmt)
        check(result)
        assert ESC not in result.stdout
        assert "\\x1b[31mred" in result.stdout
    tsv = node_cli("keys", "list", "-o", "tsv").stdout.splitlines()
    assert all(line.count("\t") == 5 for line in tsv)
    result = node_cli("keys", "list", "-o", "json")
    assert label in [k["label"] for k in json.loads(result.stdout)]  # JSON keeps it, escaped


def test_actions_print_messages_on_stderr_only(node_cli: RunCli) -> None:
    for args in (
        ("services", "create", "churn"),
        ("services", "disable", "churn"),
        ("services", "enable", "churn"),
        ("services", "delete", "churn", "-y"),
    ):
        result = node_cli(*args)
        check(result)
        assert result.stdout == "", args
        assert result.stderr, args


def test_quiet_silences_messages_but_not_data(node_cli: RunCli) -> None:
    result = node_cli("-q", "services", "create", "churn")
    check(result)
    assert result.stdout == "" and result.stderr == ""
    result = node_cli("services", "switch-to-newest", "churn", "--quiet")
    check(result, 1)
    assert result.stderr.startswith("Error: ")  # errors are never silenced
    result = node_cli("keys", "create", "-q")
    check(result)
    assert result.stdout.strip() and result.stderr == ""
