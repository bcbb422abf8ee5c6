"""Run the command tree in-process against a real emulator, with a clean environment."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from click.testing import Result
from clirunner import make_runner

from apinode_admin_cli.cli import cli

# Variables that would let the developer's own settings leak into a test.
_ISOLATE = (
    "APINODE_ADMIN_URI",
    "APINODE_ADMIN_API_KEY",
    "APINODE_ADMIN_API_KEY_FILE",
    "APINODE_ADMIN_PROFILE",
    "APINODE_ADMIN_CONFIG",
    "APINODE_ADMIN_NO_CHECK_CERTIFICATE",
    "APINODE_ADMIN_CA_BUNDLE",
    "APINODE_ADMIN_CLIENT_CERT",
    "APINODE_ADMIN_CLIENT_KEY",
    "APINODE_ADMIN_TIMEOUT",
    "APINODE_ADMIN_RETRIES",
    "APINODE_ADMIN_DEBUG",
    "APINODE_ADMIN_OUTPUT",
    "APINODE_EMULATOR_ADMIN_KEY",
    "NO_COLOR",
)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No setting of the machine's reaches a test; the config home is an empty folder."""
    for name in _ISOLATE:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg")))


RunCli = Callable[..., Result]


@pytest.fixture
def run_cli() -> RunCli:
    """Invoke ``apinode-admin ARGS`` in-process; stdout and stderr stay separate."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        return make_runner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def node_cli(emulator: Any, run_cli: RunCli) -> RunCli:
    """Like run_cli, connected to the test's emulator through the environment."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        full_env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
        full_env.update(env or {})
        return run_cli(*args, input=input, env=full_env)

    return run
