"""The data dir as a setting: --data-dir, APINODE_ADMIN_DATA_DIR, `data_dir` in a profile."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import RunCli, check
from support.datadir import ENTRY, lay_out

from apinode_admin_cli.config import dumps_toml
from apinode_admin_cli.emulator import EmulatorHandle

Node = tuple[EmulatorHandle, Path]


def listed(result: object) -> list[object]:
    check(result)  # type: ignore[arg-type]
    return list(json.loads(result.stdout))  # type: ignore[attr-defined]


def write_config(path: Path, text: dict[str, object]) -> Path:
    path.write_text(dumps_toml(text), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_flag_and_variable(node: Node, run_cli: RunCli, tmp_path: Path) -> None:
    handle, root = node
    assert listed(run_cli("--data-dir", str(root), "services", "list", "-o", "json")) == []
    env = {"APINODE_ADMIN_DATA_DIR": str(root)}
    assert listed(run_cli("services", "list", "-o", "json", env=env)) == []
    # The setting wins over Dataiku's variable, here naming no data dir at all.
    env = {"DKU_LAMBDA_HOME": str(tmp_path)}
    assert listed(run_cli("--data-dir", str(root), "services", "list", "-o", "json", env=env)) == []


def test_profile_path_is_relative_to_the_config_file(
    node: Node, run_cli: RunCli, tmp_path: Path
) -> None:
    _, root = node
    local = tmp_path / "conf"
    local.mkdir()
    (local / "node").symlink_to(root)
    path = write_config(local / "config.toml", {"profiles": {"default": {"data_dir": "node"}}})
    result = run_cli("--config", str(path), "config", "show", "-o", "json")
    check(result)
    shown = json.loads(result.stdout)
    assert shown["data_dir"] == {
        "value": str(local / "node"),
        "source": f"config {path} [profiles.default]",
    }
    assert listed(run_cli("--config", str(path), "services", "list", "-o", "json")) == []


def test_a_named_directory_that_is_no_data_dir(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path), "services", "list")
    check(result, 3)
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        f"Error: {tmp_path} (from flag --data-dir) is not an API node's data dir: "
        "it holds neither install.ini nor bin/env-default.sh"
    )
    # Looking at the settings still works, and says where the data dir came from.
    result = run_cli("--data-dir", str(tmp_path), "config", "show", "-o", "json")
    check(result)
    assert json.loads(result.stdout)["data_dir"]["source"] == "flag --data-dir"


def test_fleet_nodes_take_their_data_dirs_from_their_profiles(
    node: Node, run_cli: RunCli, tmp_path: Path
) -> None:
    handle, root = node
    second = lay_out(tmp_path / "second", base_port=handle.port - 1, keys=[ENTRY])
    path = write_config(
        tmp_path / "config.toml",
        {
            "profiles": {"a": {"data_dir": str(root)}, "b": {"data_dir": str(second)}},
            "fleets": {"local": {"profiles": ["a", "b"]}},
        },
    )
    result = run_cli("--config", str(path), "--fleet", "local", "services", "list", "-o", "json")
    check(result)
    assert [entry["node"] for entry in json.loads(result.stdout)] == ["a", "b"]
    # Dataiku's variable cannot say which node of a fleet it means: it is not used.
    bare = write_config(
        tmp_path / "bare.toml",
        {"profiles": {"a": {}}, "fleets": {"local": {"profiles": ["a"]}}},
    )
    env = {"DKU_LAMBDA_HOME": str(root)}
    result = run_cli("--config", str(bare), "--fleet", "local", "services", "list", env=env)
    check(result, 3)
    # The data dir names one node: with a fleet it is a usage error, like --uri.
    result = run_cli("--config", str(path), "--fleet", "local", "--data-dir", str(root), "ping")
    check(result, 2)
    assert "--data-dir" in result.stderr


def test_config_set_takes_a_directory(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    afile = tmp_path / "a-file"
    afile.write_text("x", encoding="utf-8")
    result = run_cli("--config", str(path), "config", "set", "data_dir", str(afile))
    check(result, 2)
    assert result.stderr.splitlines()[0] == f"Error: {afile} is not a directory"
    check(run_cli("--config", str(path), "config", "set", "data_dir", str(tmp_path)))
    assert f'data_dir = "{tmp_path}"' in path.read_text(encoding="utf-8")
