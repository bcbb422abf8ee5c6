"""Config: a named file must exist, path settings checked, profiles deleted and renamed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from support.cli import RunCli, check

from apinode_admin_cli.config import load_config


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


@pytest.fixture
def cfg(run_cli: RunCli, config_path: Path) -> RunCli:
    def run(*args: str, input: Any = None) -> Result:
        return run_cli("--config", str(config_path), *args, input=input)

    return run


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_named_config_file_that_does_not_exist_exits_3(
    run_cli: RunCli, emulator: Any, tmp_path: Path, how: str
) -> None:
    missing = tmp_path / "nonexistent.toml"
    env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
    if how == "env":
        env["APINODE_ADMIN_CONFIG"] = str(missing)
        result = run_cli("services", "list", env=env)
    else:
        result = run_cli("--config", str(missing), "services", "list", env=env)
    check(result, 3)
    assert result.stdout == ""
    assert f"config file {missing}" in result.stderr and "does not exist" in result.stderr
    assert emulator.received == []


def test_config_commands_still_create_or_print_a_missing_file(
    cfg: RunCli, config_path: Path
) -> None:
    result = cfg("config", "path")
    check(result)
    assert result.stdout == f"{config_path}\n"
    check(cfg("config", "set", "uri", "http://127.0.0.1:12000"))
    assert load_config(config_path)["profiles"]["default"]["uri"] == "http://127.0.0.1:12000"


def test_config_init_creates_a_named_file(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    result = run_cli(
        "--config", str(path), "config", "init", "--uri", "http://127.0.0.1:1",
        "--api-key-stdin", "--no-verify", input="k\n",
    )  # fmt: skip
    check(result)
    assert path.exists()


def test_unset_of_a_key_not_set_does_nothing_and_succeeds(cfg: RunCli, config_path: Path) -> None:
    result = cfg("config", "unset", "ca_bundle")
    check(result)
    assert result.stdout == ""
    assert "nothing to do" in result.stderr
    assert not config_path.exists()
    result = cfg("config", "unset", "no_such_key")
    check(result, 2)
    assert "unknown config key" in result.stderr


@pytest.mark.parametrize("key", ["ca_bundle", "client_cert", "client_key", "api_key_file"])
def test_set_of_a_path_setting_checks_the_file(
    cfg: RunCli, config_path: Path, tmp_path: Path, key: str, monkeypatch: Any
) -> None:
    result = cfg("config", "set", key, str(tmp_path / "missing.pem"))
    check(result, 2)
    assert "does not exist" in result.stderr
    assert not config_path.exists()
    (tmp_path / "corp.pem").write_text("pem\n")
    monkeypatch.chdir(tmp_path)
    check(cfg("config", "set", key, "corp.pem"))
    # Relative to where the command ran, not to the config file's folder.
    assert load_config(config_path)["profiles"]["default"][key] == str(tmp_path / "corp.pem")


def test_set_keeps_a_tilde_path_as_typed(
    cfg: RunCli, config_path: Path, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "ca.pem").write_text("pem\n")
    check(cfg("config", "set", "ca_bundle", "~/ca.pem"))
    assert load_config(config_path)["profiles"]["default"]["ca_bundle"] == "~/ca.pem"


def profiles_file(cfg: RunCli) -> None:
    check(cfg("--profile", "prod", "config", "set", "uri", "http://prod:12000"))
    check(cfg("--profile", "lab", "config", "set", "uri", "http://lab:12000"))
    check(cfg("config", "set", "default_profile", "prod"))


def test_rename_profile_keeps_its_place_and_the_default(cfg: RunCli, config_path: Path) -> None:
    profiles_file(cfg)
    result = cfg("config", "rename-profile", "prod", "prod-eu")
    check(result)
    assert "stays the default profile" in result.stderr
    data = load_config(config_path)
    assert list(data["profiles"]) == ["prod-eu", "lab"]
    assert data["profiles"]["prod-eu"] == {"uri": "http://prod:12000"}
    assert data["default_profile"] == "prod-eu"
    check(cfg("config", "rename-profile", "nope", "x"), 2)
    result = cfg("config", "rename-profile", "lab", "prod-eu")
    check(result, 2)
    assert "exists already" in result.stderr


def test_delete_profile(cfg: RunCli, config_path: Path) -> None:
    profiles_file(cfg)
    check(cfg("config", "delete-profile", "lab"), 2)  # not on a terminal: needs --yes
    result = cfg("config", "delete-profile", "lab", "--yes")
    check(result)
    assert list(load_config(config_path)["profiles"]) == ["prod"]
    result = cfg("config", "delete-profile", "prod", "-y")
    check(result)
    assert "default_profile is now unset" in result.stderr
    assert load_config(config_path) == {"profiles": {}}
    result = cfg("config", "delete-profile", "prod", "-y")
    check(result, 2)
    assert "known profiles: none" in result.stderr


def test_fleets_follow_a_rename_and_lose_a_deleted_profile(cfg: RunCli, config_path: Path) -> None:
    from apinode_admin_cli.config import write_config

    profiles_file(cfg)
    data = load_config(config_path)
    data["fleets"] = {"prod": {"profiles": ["prod", "lab"]}, "solo": {"profiles": ["lab"]}}
    write_config(config_path, data)
    result = cfg("config", "rename-profile", "lab", "lab-2")
    check(result)
    assert "Fleet(s) prod, solo now list 'lab-2'" in result.stderr
    fleets = load_config(config_path)["fleets"]
    assert fleets == {"prod": {"profiles": ["prod", "lab-2"]}, "solo": {"profiles": ["lab-2"]}}
    result = cfg("config", "delete-profile", "prod", "-y")
    check(result)
    assert "Removed it from fleet(s) prod." in result.stderr
    assert load_config(config_path)["fleets"]["prod"] == {"profiles": ["lab-2"]}


def test_a_refused_rename_leaves_the_file_as_it_was(cfg: RunCli, config_path: Path) -> None:
    profiles_file(cfg)
    before = config_path.read_bytes()
    check(cfg("config", "rename-profile", "lab", "prod"), 2)
    assert config_path.read_bytes() == before


@pytest.mark.parametrize("fmt", ["plain", "tsv", "json"])
def test_profiles_never_show_credentials_written_in_a_uri(
    cfg: RunCli, config_path: Path, fmt: str
) -> None:
    # `config set uri` refuses such a URI, but a hand-edited file may hold one.
    config_path.parent.mkdir(parents=True)
    config_path.write_text(
        '[profiles.a]\nuri = "http://user:s3cret-pw@host:12000"\n'
        '[profiles.b]\nuri = "https://KEY-1234-SECRET@node.example.com"\n'
        '[profiles.c]\nuri = "http://plain:12000"\n'
    )
    result = cfg("config", "profiles", "-o", fmt)
    check(result)
    for secret in ("s3cret-pw", "user:", "KEY-1234-SECRET"):
        assert secret not in result.stdout + result.stderr
    assert "http://***@host:12000" in result.stdout
    assert "https://***@node.example.com" in result.stdout
    assert "http://plain:12000" in result.stdout
