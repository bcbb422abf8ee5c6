"""Fixtures for the fault tests: an isolated environment, in-process and subprocess runners."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import Result
from clirunner import make_runner
from fault_helpers import ISOLATE, ISOLATE_PREFIXES, clean_env

from apinode_admin_cli.cli import cli

RunCli = Callable[..., Result]
RunProc = Callable[..., subprocess.CompletedProcess]


# Whatever the developer exports must not reach a test.
@pytest.fixture
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("xdg")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, config_home: Path) -> None:
    """No setting of the machine's reaches an in-process run either."""
    for name in list(os.environ):
        if name.startswith(ISOLATE_PREFIXES) or name.upper() in ISOLATE:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def run_cli() -> RunCli:
    """``apinode-admin ARGS`` in-process; stdout and stderr kept apart."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        return make_runner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def node_cli(emulator: Any, run_cli: RunCli) -> RunCli:
    """Like run_cli, pointed at the test's emulator with its admin key."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        full = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
        full.update(env or {})
        return run_cli(*args, input=input, env=full)

    return run


@pytest.fixture
def run_proc(config_home: Path) -> RunProc:
    """``python -m apinode_admin_cli ARGS`` in a real process with a clean environment."""

    def run(*args: str, env: Any = None, timeout: float = 20, **kw: Any) -> Any:
        return subprocess.run(
            [sys.executable, "-m", "apinode_admin_cli", *args],
            env=clean_env(config_home, **(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            **kw,
        )

    return run
