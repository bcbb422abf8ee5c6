"""Shell completion: scripts, names, live ids from the node, silence when it is not there."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, clean_env, closed_port_uri, complete

from apinode_admin_cli.client import APINodeAdminClient

ROOT = Path(__file__).resolve().parents[3]
HEAVY = ("requests", "rich", "tabulate")


def values(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The bash completion answer: one ``type,value`` line per candidate."""
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines() if line]


@pytest.fixture
def node_env(emulator: Any, tmp_path: Path) -> dict[str, str]:
    return clean_env(
        tmp_path / "xdg", APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key
    )


@pytest.fixture
def deployed(emulator: Any, make_archive: Callable[..., Path]) -> APINodeAdminClient:
    """Two services; ``churn`` has generations v1 and v2."""
    client = APINodeAdminClient(emulator.uri, emulator.admin_key)
    client.create_service("churn")
    client.create_service("fraud")
    service = client.service("churn")
    service.import_generation_from_archive(str(make_archive("v1")))
    service.import_generation_from_archive(str(make_archive("v2")))
    return client


# -- the scripts ------------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_checked_in_script(run_cli: RunCli, shell: str) -> None:
    result = run_cli("completion", shell)
    assert result.exit_code == 0, result.output
    assert "_APINODE_ADMIN_COMPLETE" in result.stdout
    assert result.stderr == ""
    checked_in = ROOT / "completions" / f"apinode-admin.{shell}"
    assert result.stdout == checked_in.read_text(encoding="utf-8")


def test_completion_rejects_unknown_shell(run_cli: RunCli) -> None:
    result = run_cli("completion", "tcsh")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""


# -- names ------------------------------------------------------------------------------------


def test_groups_commands_and_options_complete(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    top = values(complete("apinode-admin ", env=env))
    for name in ("services", "generations", "keys", "config", "ping", "completion", "emulator"):
        assert name in top
    assert "services-list" not in top  # the original tool's names stay out of the way
    assert values(complete("apinode-admin gen", env=env)) == ["generations"]
    assert "switch-to-newest" in values(complete("apinode-admin services sw", env=env))
    assert values(complete("apinode-admin emulator d", env=env)) == ["demo", "deployer"]
    options = values(complete("apinode-admin services list --", env=env))
    assert {"--output", "--json", "--no-headers"} <= set(options)
    assert values(complete("apinode-admin services list -o ", env=env)) == [
        "table",
        "plain",
        "tsv",
        "json",
    ]
    assert values(complete("apinode-admin completion ", env=env)) == ["bash", "zsh", "fish"]


# -- live values ------------------------------------------------------------------------------


def test_service_ids_come_from_the_node(deployed: Any, node_env: dict[str, str]) -> None:
    assert values(complete("apinode-admin services delete ", env=node_env)) == ["churn", "fraud"]
    assert values(complete("apinode-admin generations list fr", env=node_env)) == ["fraud"]
    # global options after the command are honoured, as when the command runs
    assert values(complete("apinode-admin services enable --api-key wrong c", env=node_env)) == []


def test_service_ids_use_connection_flags_on_the_line(
    deployed: Any, emulator: Any, tmp_path: Path
) -> None:
    env = clean_env(tmp_path)
    line = f"apinode-admin --uri {emulator.uri} --api-key {emulator.admin_key} services disable "
    assert values(complete(line, env=env)) == ["churn", "fraud"]


def test_service_ids_from_the_config_profile(
    deployed: Any, emulator: Any, tmp_path: Path, run_cli: RunCli
) -> None:
    config = tmp_path / "config.toml"
    init = run_cli(
        "--config", str(config), "--profile", "lab", "config", "init",
        "--uri", emulator.uri, "--api-key-stdin", input=emulator.admin_key,
    )  # fmt: skip
    assert init.exit_code == 0, init.output
    env = clean_env(tmp_path, APINODE_ADMIN_CONFIG=str(config))
    assert values(complete("apinode-admin services enable ", env=env)) == ["churn", "fraud"]


def test_generation_ids_of_the_service_on_the_line(deployed: Any, node_env: dict[str, str]) -> None:
    assert values(complete("apinode-admin services switch-to churn ", env=node_env)) == [
        "v1",
        "v2",
    ]
    assert values(complete("apinode-admin generations preload churn v2", env=node_env)) == ["v2"]
    assert values(complete("apinode-admin services switch-to fraud ", env=node_env)) == []
    assert values(complete("apinode-admin services switch-to nosuch ", env=node_env)) == []


def test_predict_completes_service_and_forced_generation(
    deployed: Any, node_env: dict[str, str]
) -> None:
    assert values(complete("apinode-admin predict ch", env=node_env)) == ["churn"]
    line = "apinode-admin predict churn score --forced-generation "
    assert values(complete(line, env=node_env)) == ["v1", "v2"]


def test_key_ids_for_keys_delete(deployed: Any, node_env: dict[str, str]) -> None:
    created = deployed.auth().add_key("ci")
    ids = [k["id"] for k in deployed.auth().list_keys()]
    got = values(complete("apinode-admin keys delete --id ", env=node_env))
    assert got == ids and created["id"] in got
    assert created["key"] not in json.dumps(got)  # ids, never secrets


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_live_values_in_other_shells(deployed: Any, node_env: dict[str, str], shell: str) -> None:
    proc = complete("apinode-admin services delete ", shell=shell, env=node_env)
    assert proc.returncode == 0, proc.stderr
    assert "churn" in proc.stdout and "fraud" in proc.stdout


# -- silence when the node cannot help ---------------------------------------------------------


def test_nothing_when_unconfigured(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    assert values(complete("apinode-admin services delete ", env=env)) == []


def test_nothing_quickly_when_unreachable(tmp_path: Path) -> None:
    env = clean_env(tmp_path, APINODE_ADMIN_URI=closed_port_uri(), APINODE_ADMIN_API_KEY="k")
    started = time.monotonic()
    assert values(complete("apinode-admin services delete ", env=env)) == []
    assert time.monotonic() - started < 5


def test_nothing_quickly_when_the_node_hangs(tmp_path: Path) -> None:
    """A node that accepts the connection but never answers: the 2 s timeout cuts it short."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        env = clean_env(
            tmp_path,
            APINODE_ADMIN_URI=f"http://127.0.0.1:{server.getsockname()[1]}",
            APINODE_ADMIN_API_KEY="k",
        )
        started = time.monotonic()
        assert values(complete("apinode-admin services delete ", env=env)) == []
        assert time.monotonic() - started < 6


def test_nothing_when_the_key_is_refused(deployed: Any, emulator: Any, tmp_path: Path) -> None:
    env = clean_env(tmp_path, APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY="wrong")
    assert values(complete("apinode-admin services delete ", env=env)) == []


def test_nothing_when_the_config_is_broken(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("this is [not toml\n")
    env = clean_env(tmp_path, APINODE_ADMIN_CONFIG=str(config))
    assert values(complete("apinode-admin services delete ", env=env)) == []


# -- staying light ----------------------------------------------------------------------------

_PROBE = """
import atexit, os, sys
def report():
    heavy = [m for m in {heavy!r} if m in sys.modules]
    os.write(2, ("HEAVY=" + ",".join(heavy) + "\\n").encode())
atexit.register(report)
from apinode_admin_cli.cli import main
main({argv!r})
"""


def heavy_modules(argv: list[str], env: dict[str, str]) -> list[str]:
    code = _PROBE.format(heavy=HEAVY, argv=argv)
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30, cwd=ROOT
    )
    marker = [line for line in proc.stderr.splitlines() if line.startswith("HEAVY=")]
    assert marker, proc.stderr
    found = marker[-1][len("HEAVY=") :]
    return [m for m in found.split(",") if m]


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["services", "--help"],
        ["services", "delete", "--help"],
        ["keys", "delete", "--help"],
        ["completion", "bash"],
    ],
)
def test_help_imports_no_heavy_module(argv: list[str], tmp_path: Path) -> None:
    assert heavy_modules(argv, clean_env(tmp_path)) == []


@pytest.mark.parametrize(
    "line",
    ["apinode-admin ", "apinode-admin services ", "apinode-admin services list --", "apinode-admin "
     "services delete "],
)  # fmt: skip
def test_completing_names_imports_no_heavy_module(line: str, tmp_path: Path) -> None:
    """Names need no node; service ids without settings need no HTTP client either."""
    env = clean_env(
        tmp_path,
        _APINODE_ADMIN_COMPLETE="bash_complete",
        COMP_WORDS=line,
        COMP_CWORD=str(len(line.split(" ")) - 1),
    )
    assert heavy_modules([], env) == []
