"""The tool in place of Dataiku's, as ``DATA_DIR/bin/apinode-admin`` of an emulator's data dir.

Each command runs as a real process started through that symlink, with no config, no key and
none of Dataiku's variables: the data dir gives everything, and the CLI key the tool creates in
``config/adminkeys.json`` is one the node honours. The steps of Dataiku's Ansible module
``dss_get_credentials`` run against both kinds of node: before 13.1 (keys listed in clear, no
id, delete by key) and from 13.1 (hashed keys, ``"******"`` and an id, delete by id).
"""

from __future__ import annotations

import configparser
import json
import re
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
import requests
from support.cli import clean_env
from support.datadir import program

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator


def node_at(data_dir: Path, version: str) -> EmulatorHandle:
    handle = start_emulator(data_dir=data_dir, dss_version=version)
    (data_dir / "bin" / "apinode-admin").symlink_to(program())
    return handle


@pytest.fixture(scope="module", params=["9.0", "13.1"])
def node(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EmulatorHandle, Path]]:
    data_dir = tmp_path_factory.mktemp(f"dss-{request.param}")
    handle = node_at(data_dir, request.param)
    try:
        yield handle, data_dir
    finally:
        handle.stop()


def tool(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``DATA_DIR/bin/apinode-admin ARGS`` as a script runs it: no settings whatsoever."""
    env = clean_env(data_dir / "no-config-home")
    for name in ("DKU_LAMBDA_HOME", "DKU_APIMAIN_PORT"):
        env.pop(name, None)
    return subprocess.run(
        [str(data_dir / "bin" / "apinode-admin"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def cli_keys(data_dir: Path) -> list[str]:
    keys = json.loads((data_dir / "config" / "adminkeys.json").read_text(encoding="utf-8"))
    return [k["key"] for k in keys["keys"] if k.get("createdBy") == "cli-apinode-admin"]


def test_the_program_in_the_data_dir_creates_its_key_and_the_node_takes_it(
    node: tuple[EmulatorHandle, Path],
) -> None:
    handle, data_dir = node
    proc = tool(data_dir, "services-list")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.split()[:3] == ["Service", "Enabled", "Error"]
    (key,) = cli_keys(data_dir)
    assert re.fullmatch(r"[A-Z0-9]{32}", key)
    assert key not in proc.stdout + proc.stderr
    # Later runs reuse it, as Dataiku's tool would.
    assert tool(data_dir, "ping", "-q").returncode == 0
    assert cli_keys(data_dir) == [key]
    answer = requests.get(f"{handle.uri}/admin/api/services", auth=(key, ""), timeout=5)
    assert answer.status_code == 200


def test_dss_get_credentials_steps(node: tuple[EmulatorHandle, Path]) -> None:
    """The module's subprocess calls, in its order, reading what it reads."""
    handle, data_dir = node
    ini = configparser.RawConfigParser()
    ini.read(data_dir / "install.ini")
    assert ini.get("general", "nodetype").strip() == "api"
    assert ini.getint("server", "port") + 1 == handle.port

    def get_credentials() -> str:
        listed = tool(data_dir, "admin-keys-list", "--output", "json")
        assert listed.returncode == 0, listed.stderr
        found = [k for k in json.loads(listed.stdout) if k.get("label") == "dss-ansible-admin"]
        if found:
            key = found[0]
            if key["key"] == "******":
                delete = ["admin-key-delete-by-id", key["id"]]
            else:
                delete = ["admin-key-delete", key["key"]]
            deleted = tool(data_dir, *delete)
            assert deleted.returncode == 0 and deleted.stdout == "OK\n", deleted.stderr
        created = tool(
            data_dir, "admin-key-create", "--output", "json", "--label", "dss-ansible-admin"
        )
        assert created.returncode == 0, created.stderr
        return str(json.loads(created.stdout)["key"])

    first = get_credentials()
    second = get_credentials()
    assert first != second
    ok = requests.get(f"{handle.uri}/admin/api/services", auth=(second, ""), timeout=5)
    gone = requests.get(f"{handle.uri}/admin/api/services", auth=(first, ""), timeout=5)
    assert (ok.status_code, gone.status_code) == (200, 401)


def test_drain_and_undrain_with_nothing_but_the_data_dir(
    node: tuple[EmulatorHandle, Path],
) -> None:
    handle, data_dir = node
    proc = tool(data_dir, "drain", "--wait", "5")
    assert proc.returncode == 0, proc.stderr
    assert requests.get(f"{handle.uri}/isAlive/", timeout=5).status_code == 503
    proc = tool(data_dir, "ping", "-o", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["drained"] is True
    proc = tool(data_dir, "undrain", "--wait", "5")
    assert proc.returncode == 0, proc.stderr
    assert requests.get(f"{handle.uri}/isAlive/", timeout=5).status_code == 200
