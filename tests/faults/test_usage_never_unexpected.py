"""Input never ends as "unexpected failure": bad numbers and shapes are usage or config errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import RunCli, make_runner
from support.faults import assert_failed

from apinode_admin_cli.cli import cli
from apinode_admin_cli.emulator import EmulatorHandle

ODD_NUMBERS = ["1e10", "1e400", "nan", "-inf", "²", "١٢", "1_0", "0x10", "9" * 5000, "", " "]


@pytest.mark.parametrize(
    ("value", "word"),
    [("1e10", "timeout"), ("nan", "timeout"), ("١", "timeout"), ("9" * 5000, "too many digits")],
)
def test_a_bad_timeout_in_the_config_file(
    run_cli: RunCli, config_home: Path, value: str, word: str
) -> None:
    config = config_home / "apinode-admin" / "config.toml"
    config.parent.mkdir(parents=True)
    number = value if value in ("1e10", "nan") or value.isascii() else f'"{value}"'
    config.write_text(f'[profiles.default]\nuri = "http://127.0.0.1:1"\ntimeout = {number}\n')
    os.chmod(config, 0o600)
    assert_failed(run_cli("--api-key", "k", "services", "list"), 3, word)
    other = str(config_home / "other.toml")
    assert_failed(run_cli("--config", other, "config", "set", "timeout", value), 2, "timeout")


@pytest.mark.parametrize("key", ["api_key_file", "ca_bundle", "api_key", "uri"])
def test_a_nul_character_in_the_config_file(run_cli: RunCli, config_home: Path, key: str) -> None:
    config = config_home / "apinode-admin" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[profiles.default]\n{key} = "a\\u0000b"\n')
    os.chmod(config, 0o600)
    assert_failed(run_cli("--uri", "http://127.0.0.1:1", "services", "list"), 3, "NUL")


def test_a_nul_character_in_an_input_path(run_cli: RunCli) -> None:
    """Not from a shell (argv cannot hold one), but from a program driving the CLI."""
    result = run_cli("--uri", "http://127.0.0.1:1", "--api-key", "k",
                     "predict", "s", "score", "@features\x00.json")  # fmt: skip
    assert_failed(result, 2, "NUL")


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize("name", ["timeout", "retries"])
def test_odd_numbers_for_a_setting(run_cli: RunCli, name: str, value: str) -> None:
    common = ("--uri", "http://127.0.0.1:1", "--api-key", "k")
    flag = run_cli(*common, f"--{name}", value, "services", "list")
    env = run_cli(*common, "services", "list", env={f"APINODE_ADMIN_{name.upper()}": value})
    assert_failed(flag, 2, f"--{name}")
    if value.strip():  # an empty variable counts as unset
        assert_failed(env, 3, f"APINODE_ADMIN_{name.upper()}")


@pytest.mark.parametrize("value", ["1e400", "nan", "inf%", "٠.٥", "0_5", "9" * 5000 + "%"])
def test_odd_numbers_in_a_mapping_entry(run_cli: RunCli, value: str) -> None:
    result = run_cli("--uri", "http://127.0.0.1:1", "--api-key", "k", "services", "set-mapping",
                     "s", "--entry", f"v1={value}")  # fmt: skip
    assert_failed(result, 2, "--entry")


@pytest.mark.parametrize(
    "args", [("--port", "99999999"), ("--port", "-1"), ("--latency", "nan"), ("--latency", "1e400")]
)
def test_odd_numbers_for_the_emulator(run_cli: RunCli, args: tuple[str, ...]) -> None:
    result = run_cli("emulator", "serve", *args)
    assert result.exit_code == 2, result.output
    assert "unexpected" not in result.stderr and args[0] in result.stderr


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_odd_numbers_for_a_key_expiry(node_cli: RunCli, emulator: Any, value: str) -> None:
    result = node_cli("keys", "create", "--label", "x", "--expiry", value)
    assert "unexpected failure" not in result.stderr, result.stderr
    assert result.exit_code in (0, 2), result.output


# -- a search for others ---------------------------------------------------------------------

COMMANDS = [
    ("services", "list"),
    ("services", "create"),
    ("services", "delete"),
    ("services", "enable"),
    ("services", "switch-to"),
    ("services", "set-mapping"),
    ("generations", "list"),
    ("generations", "import"),
    ("generations", "preload"),
    ("keys", "create"),
    ("keys", "delete"),
    ("metrics", "show"),
    ("predict",),
    ("ping",),
    ("config", "set"),
    ("config", "unset"),
    ("config", "show"),
    ("config", "init"),
    ("keys", "list"),
    ("service-set-mapping",),
    ("admin-key-create",),
    ("service-import-generation",),
]
OPTIONS = [
    "-o", "--output", "--json", "--timeout", "--retries", "--entry", "--batch", "--context",
    "--feature", "--expiry", "--label", "--id", "--profile", "--api-key-file", "--ca-bundle",
    "--forced-generation", "--dispatch-key", "-y", "-q", "-v", "--activate", "--no-headers",
]  # fmt: skip
WORDS = [
    "churn", "v1", "-", "@", "@/nonexistent", "{", "[]", '{"a": NaN}', '{"entries": [1]}',
    "[" * 3000, "a=1", "a=", "=", "json", "tsv", "table", "1e10", "nan", "-1", "0", "²",
    "١٢", "9" * 5000, "", " ", "é" * 300, "..", ".", "v1=2", "v1=0.5", "/dev/null",
    "/", "http://u:p@h:1x", "x" * 10000,
]  # fmt: skip


# An argument of a real command line cannot hold a NUL character (C strings end there).
any_word = st.text(max_size=8).filter(lambda word: "\x00" not in word)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    command=st.sampled_from(COMMANDS),
    rest=st.lists(
        st.tuples(st.sampled_from(OPTIONS), st.sampled_from(WORDS) | any_word)
        | st.tuples(st.sampled_from(WORDS) | any_word),
        max_size=5,
    ).map(lambda parts: [word for part in parts for word in part]),
    stdin=st.sampled_from(["", "{}", "NaN", "[" * 3000, "v1", "\xff"]),
)  # fmt: skip
def test_no_argv_reaches_unexpected_failure(
    module_emulator: EmulatorHandle, command: tuple[str, ...], rest: list[str], stdin: str
) -> None:
    env = {
        "APINODE_ADMIN_URI": module_emulator.uri,
        "APINODE_ADMIN_API_KEY": module_emulator.admin_key,
    }
    argv = [*command, *rest, "--timeout", "5", "--retries", "1"]
    result = make_runner().invoke(cli, argv, input=stdin, env=env, catch_exceptions=False)
    assert "unexpected failure" not in result.stderr, (argv, result.stderr)
    assert "Traceback" not in result.stderr or "-v" in argv, (argv, result.stderr)


@pytest.mark.parametrize("command", [("services", "rollout", "s"), ("deployer", "rollout", "d")])
@pytest.mark.parametrize(
    ("extra", "flag"),
    [(("--probe", "-"), "--probe needs --endpoint"), (("--pause", "nan"), "--pause must be")],
)
def test_rollout_options_are_checked_alike_and_named(
    run_cli: RunCli, command: tuple[str, ...], extra: tuple[str, ...], flag: str
) -> None:
    common = ("--uri", "http://127.0.0.1:1", "--api-key", "k")
    common += ("--dss-uri", "http://127.0.0.1:1", "--dss-api-key", "k")
    result = run_cli(*common, *command, "v2", *extra)
    assert_failed(result, 2, flag)
