"""On the node, no configuration: the data dir gives the URI and the key; explicit settings win."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from support.cli import RunCli, check, clean_env, closed_port_uri
from support.datadir import CLI_KEY, program

from apinode_admin_cli.emulator import EmulatorHandle


def test_dataikus_variables_are_enough(node: tuple[EmulatorHandle, Path], run_cli: RunCli) -> None:
    handle, root = node
    env = {"DKU_LAMBDA_HOME": str(root), "DKU_APIMAIN_PORT": str(handle.port)}
    result = run_cli("services", "list", "-o", "json", env=env)
    check(result)
    assert json.loads(result.stdout) == []
    assert handle.received[-1]["path"] == "/admin/api/services"


def test_config_show_names_the_data_dir_and_masks_the_key(
    node: tuple[EmulatorHandle, Path], run_cli: RunCli
) -> None:
    handle, root = node
    result = run_cli("config", "show", "-o", "json", env={"DKU_LAMBDA_HOME": str(root)})
    check(result)
    assert CLI_KEY not in result.stdout + result.stderr
    shown = json.loads(result.stdout)
    assert shown["uri"]["value"] == handle.uri
    assert str(root / "install.ini") in shown["uri"]["source"]
    assert shown["api_key"]["source"].startswith(str(root / "config" / "adminkeys.json"))


def test_explicit_settings_win(node: tuple[EmulatorHandle, Path], run_cli: RunCli) -> None:
    _, root = node
    env = {"DKU_LAMBDA_HOME": str(root)}
    # An explicit URI is used: nothing listens there.
    result = run_cli(
        "services",
        "list",
        env={**env, "APINODE_ADMIN_URI": closed_port_uri(), "APINODE_ADMIN_RETRIES": "1"},
    )
    check(result, 7)
    # An explicit key is used: the node refuses it.
    result = run_cli("services", "list", env={**env, "APINODE_ADMIN_API_KEY": "not-the-key"})
    check(result, 4)


def test_the_data_dirs_key_never_leaves_the_machine(
    node: tuple[EmulatorHandle, Path], run_cli: RunCli
) -> None:
    _, root = node
    env = {"DKU_LAMBDA_HOME": str(root), "APINODE_ADMIN_URI": "http://apinode.example.com:1"}
    result = run_cli("services", "list", env=env)
    check(result, 3)
    assert result.stderr.startswith("Error: no API key")
    assert result.stdout == ""


def test_a_wrong_data_dir_is_one_line_and_exit_3(tmp_path: Path, run_cli: RunCli) -> None:
    result = run_cli("services", "list", env={"DKU_LAMBDA_HOME": str(tmp_path / "nowhere")})
    check(result, 3)
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first == (
        f"Error: {tmp_path / 'nowhere'} (from env DKU_LAMBDA_HOME) is not an API node's data "
        "dir: it holds neither install.ini nor bin/env-default.sh"
    )
    assert "Traceback" not in result.stderr


def test_the_program_in_the_data_dir_needs_nothing(
    node: tuple[EmulatorHandle, Path], tmp_path: Path
) -> None:
    """Started as DATA_DIR/bin/apinode-admin, a link to the tool: no config, no key, no wrapper."""
    handle, root = node
    link = root / "bin" / "apinode-admin"
    if not link.is_symlink():
        link.symlink_to(program())
    env = clean_env(tmp_path / "xdg")
    for name in ("DKU_LAMBDA_HOME", "DKU_APIMAIN_PORT"):
        env.pop(name, None)
    proc = subprocess.run(
        [str(link), "services-list"], env=env, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == ["Service", "Enabled", "Error"]
    assert proc.stderr == ""
    proc = subprocess.run(
        [str(link), "-v", "services", "list"], env=env, capture_output=True, text=True, timeout=30
    )
    assert proc.returncode == 0, proc.stderr
    assert "[http]" in proc.stderr
    assert CLI_KEY not in proc.stdout + proc.stderr
