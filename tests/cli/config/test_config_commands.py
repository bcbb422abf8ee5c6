"""``config show | path | set | unset | profiles`` (``config init`` has its own file)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from support.cli import RunCli, check

from apinode_admin_cli.config import load_config

SECRET = "Cfg-Secret-Key-0123456789abcdefWXYZ"


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


@pytest.fixture
def cfg(run_cli: RunCli, config_path: Path) -> RunCli:
    """Run with APINODE_ADMIN_CONFIG pointing at the test's config file."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        return run_cli(
            *args, input=input, env={"APINODE_ADMIN_CONFIG": str(config_path), **(env or {})}
        )

    return run


def show(cfg: RunCli, *args: str, env: Any = None) -> dict[str, dict[str, Any]]:
    result = cfg(*args, "config", "show", "-o", "json", env=env)
    check(result)
    shown: dict[str, dict[str, Any]] = json.loads(result.stdout)
    return shown


# -- path -------------------------------------------------------------------------------------


def test_path_defaults_to_xdg_config_home(run_cli: RunCli) -> None:
    result = run_cli("config", "path")
    check(result)
    expected = Path(os.environ["XDG_CONFIG_HOME"]) / "apinode-admin" / "config.toml"
    assert result.stdout == f"{expected}\n"
    assert result.stderr == ""


def test_path_follows_flag_then_env(run_cli: RunCli, tmp_path: Path) -> None:
    env = {"APINODE_ADMIN_CONFIG": str(tmp_path / "env.toml")}
    result = run_cli("config", "path", env=env)
    check(result)
    assert result.stdout == f"{tmp_path / 'env.toml'}\n"
    result = run_cli("--config", str(tmp_path / "flag.toml"), "config", "path", env=env)
    check(result)
    assert result.stdout == f"{tmp_path / 'flag.toml'}\n"


# -- set / unset ------------------------------------------------------------------------------


def test_set_creates_a_private_file(cfg: RunCli, config_path: Path) -> None:
    result = cfg("config", "set", "uri", "http://127.0.0.1:12000/")
    check(result)
    assert result.stdout == ""
    assert "[profiles.default] uri = http://127.0.0.1:12000" in result.stderr
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600
    assert load_config(config_path) == {"profiles": {"default": {"uri": "http://127.0.0.1:12000"}}}


def test_set_typed_values_in_a_named_profile(cfg: RunCli, config_path: Path) -> None:
    check(cfg("--profile", "prod", "config", "set", "timeout", "2.5"))
    check(cfg("config", "set", "retries", "5", "--profile", "prod"))  # global option after
    check(cfg("--profile", "prod", "config", "set", "no_check_certificate", "yes"))
    assert load_config(config_path)["profiles"]["prod"] == {
        "timeout": 2.5,
        "retries": 5,
        "no_check_certificate": True,
    }


def test_set_api_key_from_stdin_never_echoes_it(cfg: RunCli, config_path: Path) -> None:
    result = cfg("config", "set", "api_key", "-", input=SECRET + "\n")
    check(result)
    assert result.stdout == ""
    assert "api_key = ****" in result.stderr
    assert SECRET not in result.stderr
    assert load_config(config_path)["profiles"]["default"]["api_key"] == SECRET
    assert stat.S_IMODE(config_path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("colour", "red", ["unknown config key", "uri"]),
        ("timeout", "soon", ["timeout", "number"]),
        ("retries", "0", ["retries"]),
        ("output", "yaml", ["output", "json"]),
        ("uri", "ftp://x", ["uri", "http"]),
    ],
)
def test_set_refuses_bad_keys_and_values(
    cfg: RunCli, config_path: Path, key: str, value: str, words: list[str]
) -> None:
    result = cfg("config", "set", key, value)
    check(result, 2)
    assert result.stdout == ""
    assert all(word in result.stderr for word in words), result.stderr
    assert not config_path.exists()


def test_set_default_profile_needs_an_existing_profile(cfg: RunCli, config_path: Path) -> None:
    result = cfg("config", "set", "default_profile", "prod")
    check(result, 2)
    assert "prod" in result.stderr
    check(cfg("--profile", "prod", "config", "set", "uri", "http://prod:12000"))
    result = cfg("config", "set", "default_profile", "prod")
    check(result)
    assert result.stdout == ""
    assert load_config(config_path)["default_profile"] == "prod"
    # set/unset now write to the default profile.
    check(cfg("config", "set", "retries", "2"))
    assert load_config(config_path)["profiles"]["prod"]["retries"] == 2


def test_unset(cfg: RunCli, config_path: Path) -> None:
    check(cfg("config", "set", "uri", "http://a:1"))
    check(cfg("config", "set", "retries", "4"))
    result = cfg("config", "unset", "retries")
    check(result)
    assert result.stdout == ""
    assert "Removed retries from [profiles.default]" in result.stderr
    assert load_config(config_path)["profiles"]["default"] == {"uri": "http://a:1"}
    result = cfg("config", "unset", "retries")
    check(result)
    assert "retries is not set in [profiles.default]" in result.stderr
    assert "nothing to do" in result.stderr


# -- profiles ---------------------------------------------------------------------------------


def test_profiles_mark_the_active_one(cfg: RunCli) -> None:
    check(cfg("--profile", "prod", "config", "set", "uri", "http://prod:12000"))
    check(cfg("--profile", "local", "config", "set", "uri", "http://127.0.0.1:12000"))
    result = cfg("config", "profiles", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == [
        {"profile": "prod", "active": False, "uri": "http://prod:12000"},
        {"profile": "local", "active": False, "uri": "http://127.0.0.1:12000"},
    ]
    check(cfg("config", "set", "default_profile", "local"))
    result = cfg("config", "profiles")
    check(result)
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["PROFILE", "ACTIVE", "URI"],
        ["prod", "false", "http://prod:12000"],
        ["local", "true", "http://127.0.0.1:12000"],
    ]
    result = cfg(
        "config", "profiles", "-o", "tsv", "--no-headers", env={"APINODE_ADMIN_PROFILE": "prod"}
    )
    check(result)
    assert result.stdout == "prod\ttrue\thttp://prod:12000\nlocal\tfalse\thttp://127.0.0.1:12000\n"


def test_profiles_without_a_file_is_empty(cfg: RunCli, config_path: Path) -> None:
    result = cfg("config", "profiles", "--json")
    check(result)
    assert result.stdout == "[]\n"
    assert f"config file {config_path} does not exist" in result.stderr


# -- show -------------------------------------------------------------------------------------


def test_show_without_anything_needs_no_settings(cfg: RunCli, config_path: Path) -> None:
    result = cfg("config", "show")
    check(result)
    assert result.stderr == ""
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["SETTING", "VALUE", "SOURCE"]
    shown = show(cfg)
    assert shown["config"] == {"value": str(config_path), "source": "not found (nothing read)"}
    assert shown["profile"] == {"value": "default", "source": "default"}
    assert shown["uri"] == {"value": None, "source": "unset"}
    assert shown["retries"] == {"value": 3, "source": "default"}
    assert shown["timeout"] == {"value": 60.0, "source": "default"}


def test_show_names_every_source_and_masks_the_key(
    cfg: RunCli, config_path: Path, tmp_path: Path
) -> None:
    check(cfg("config", "set", "uri", "http://from-config:1"))
    check(cfg("config", "set", "timeout", "5"))
    check(cfg("config", "set", "api_key", "-", input=SECRET))
    env = {"APINODE_ADMIN_RETRIES": "7"}
    shown = show(cfg, "--timeout", "9", env=env)
    assert shown["config"]["source"] == "exists"
    assert shown["uri"]["value"] == "http://from-config:1"
    assert shown["uri"]["source"] == f"config {config_path} [profiles.default]"
    assert shown["timeout"] == {"value": 9.0, "source": "flag --timeout"}
    assert shown["retries"] == {"value": 7, "source": "env APINODE_ADMIN_RETRIES"}
    assert shown["api_key"]["value"] == "****WXYZ"
    result = cfg("config", "show", "--timeout", "9", env=env)
    check(result)
    assert SECRET not in result.stdout + result.stderr
    assert "****WXYZ" in result.stdout


def test_show_invalid_toml_exits_3(cfg: RunCli, config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("[profiles.default\nuri = 1\n")
    result = cfg("config", "show")
    check(result, 3)
    assert result.stdout == ""
    assert "invalid TOML" in result.stderr and str(config_path) in result.stderr


def test_a_whole_number_of_seconds_is_written_as_typed(cfg: RunCli, config_path: Path) -> None:
    check(cfg("config", "set", "timeout", "5"))
    assert "timeout = 5\n" in config_path.read_text(encoding="utf-8")  # not 5.0
    assert show(cfg)["timeout"]["value"] == 5
