"""Finding the node's data dir and its admin port, as Dataiku's wrapper and installer give them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support.datadir import MakeDataDir

from apinode_admin_cli.config.datadir import (
    data_dir_of_program,
    local_port,
    local_uri,
    locate_data_dir,
)
from apinode_admin_cli.errors import ConfigError


def test_port_from_env_default_script(make_data_dir: MakeDataDir) -> None:
    root = make_data_dir(base_port=14000, port=14321)
    port, source = local_port(root, {})
    assert port == 14321
    assert source == str(root / "bin" / "env-default.sh")


def test_env_site_script_overrides_the_default_one(make_data_dir: MakeDataDir) -> None:
    root = make_data_dir(port=14321)
    (root / "bin" / "env-site.sh").write_text(
        "# site settings\nexport DKU_APIMAIN_PORT=15001  # moved\n", encoding="utf-8"
    )
    assert local_port(root, {})[0] == 15001


def test_port_from_install_ini_is_the_base_port_plus_one(make_data_dir: MakeDataDir) -> None:
    root = make_data_dir(base_port=14000)
    port, source = local_port(root, {})
    assert (port, source) == (14001, str(root / "install.ini"))
    assert local_uri(root, {})[0] == "http://127.0.0.1:14001"


def test_dataiku_variables_count_for_their_own_data_dir_only(
    make_data_dir: MakeDataDir,
) -> None:
    root = make_data_dir(base_port=14000)
    other = make_data_dir("other", base_port=16000)
    env = {"DKU_LAMBDA_HOME": str(root), "DKU_APIMAIN_PORT": "14999"}
    assert local_port(root, env) == (14999, "env DKU_APIMAIN_PORT")
    assert local_port(other, env)[0] == 16001
    assert local_port(root, {"DKU_APIMAIN_PORT": "14999"})[0] == 14001


def test_no_port_anywhere_names_both_files(make_data_dir: MakeDataDir) -> None:
    root = make_data_dir()
    with pytest.raises(ConfigError) as caught:
        local_port(root, {})
    assert "env-default.sh" in caught.value.message
    assert "install.ini" in caught.value.message


@pytest.mark.parametrize("bad", ["0", "70000", "port"])
def test_a_bad_port_is_a_configuration_error(make_data_dir: MakeDataDir, bad: str) -> None:
    root = make_data_dir()
    (root / "install.ini").write_text(f"[server]\nport = {bad}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid port"):
        local_port(root, {})


def test_a_broken_install_ini_is_a_configuration_error(make_data_dir: MakeDataDir) -> None:
    root = make_data_dir()
    (root / "install.ini").write_text("port = 12000\n", encoding="utf-8")  # no section
    with pytest.raises(ConfigError, match="cannot read"):
        local_port(root, {})


def test_the_setting_wins_over_dataikus_variable(make_data_dir: MakeDataDir) -> None:
    root, other = make_data_dir(), make_data_dir("other")
    env = {"DKU_LAMBDA_HOME": str(other)}
    assert locate_data_dir((str(root), "flag --data-dir"), env, None) == (root, "flag --data-dir")
    assert locate_data_dir(None, env, None) == (other, "env DKU_LAMBDA_HOME")
    assert locate_data_dir(None, {}, None) is None


def test_started_as_the_data_dirs_program(make_data_dir: MakeDataDir, tmp_path: Path) -> None:
    root = make_data_dir()
    tool = tmp_path / "venv" / "bin" / "apinode-admin"
    tool.parent.mkdir(parents=True)
    tool.write_text("#!/bin/sh\n", encoding="utf-8")
    (root / "bin" / "apinode-admin").symlink_to(tool)
    program = str(root / "bin" / "apinode-admin")
    assert data_dir_of_program(program) == root
    assert locate_data_dir(None, {}, program) == (root, f"program {program}")
    # The tool's own path, or a bare name found on PATH, names no data dir.
    assert data_dir_of_program(str(tool)) is None
    assert data_dir_of_program("apinode-admin") is None


def test_a_link_to_the_data_dirs_program_counts(make_data_dir: MakeDataDir, tmp_path: Path) -> None:
    root = make_data_dir()
    (root / "bin" / "apinode-admin").write_text("#!/bin/sh\n", encoding="utf-8")
    alias = tmp_path / "aliases" / "node1-admin"
    alias.parent.mkdir()
    alias.symlink_to(os.path.relpath(root / "bin" / "apinode-admin", alias.parent))
    assert data_dir_of_program(str(alias)) == root


def test_a_symlink_loop_names_no_data_dir(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.symlink_to(second)
    second.symlink_to(first)
    assert data_dir_of_program(str(first)) is None
