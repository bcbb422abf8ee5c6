"""The one set of shared fixtures: an emulator per test, archives, deployed services, fleets.

Every test folder uses these; a folder keeps a conftest of its own only for fixtures no other
folder could use (the client tests' recording server).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest
import requests
from click.testing import Result
from support import userapi
from support.cli import (
    ISOLATE,
    ISOLATE_PREFIXES,
    RunCli,
    RunProc,
    clean_env,
    cli_command,
    closed_port_uri,
    connected,
    make_runner,
)
from support.emulator import Api
from support.rollout import Deploy

from apinode_admin_cli.cli import cli
from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.config import dumps_toml
from apinode_admin_cli.emulator import EmulatorHandle, start_emulator


@pytest.fixture
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """A running emulator on a free port with its own data dir; stopped after the test."""
    handle = start_emulator(data_dir=tmp_path_factory.mktemp("emulator-data"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def module_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """An emulator of the module's own, shared by its tests (which leave it as they found it)."""
    handle = start_emulator(data_dir=tmp_path_factory.mktemp("module-emulator"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def shop_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """A module's own node serving ``shop`` v1 and ``locked`` v1 (key: ``userapi.SERVICE_KEY``).

    For tests that only call the services: ones that change the node take ``emulator``.
    """
    folder = tmp_path_factory.mktemp("shop-packages")
    handle = start_emulator(data_dir=tmp_path_factory.mktemp("shop-node"))
    try:
        userapi.deploy(handle.uri, handle.admin_key, "shop", userapi.package(folder, "v1"))
        locked = userapi.package(folder / "locked", "v1", apiKeys=[userapi.SERVICE_KEY])
        userapi.deploy(handle.uri, handle.admin_key, "locked", locked)
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def make_archive(tmp_path: Path) -> Callable[..., Path]:
    """Build ``{tmp}/archives/{name}.zip``: a small valid generation archive with a manifest.

    Its manifest names the generation ``name`` (as ``version``); extra keyword arguments become
    manifest fields (``errorRate=0.5``, ``version="other"``).
    """

    def make(
        name: str = "v1",
        code_envs: tuple[str, ...] = (),
        endpoint: Optional[str] = None,
        **fields: Any,
    ) -> Path:
        # Without `endpoint` the manifest declares none, so predictions on any endpoint work.
        folder = tmp_path / "archives"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.zip"
        manifest = {"version": name, "generation": name, "codeEnvs": list(code_envs), **fields}
        if endpoint is not None:
            manifest["endpoints"] = [endpoint]
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("manifest.json", json.dumps(manifest))
            archive.writestr(f"endpoints/{endpoint or 'predict'}/model.json", '{"emulated": 1}')
        return path

    return make


@pytest.fixture
def config_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty config home (XDG_CONFIG_HOME) for the test."""
    return tmp_path_factory.mktemp("xdg")


@pytest.fixture(autouse=True)
def signal_handlers_restored() -> Iterator[None]:
    """Code under test that installs Ctrl-C or SIGTERM handlers must put the caller's back.

    A handler left behind swallows the signals that later tests send themselves (they then
    hang or pass for the wrong reason), far from the test that left it: fail the culprit.
    """
    names = ("SIGINT", "SIGTERM")
    before = {
        name: signal.getsignal(getattr(signal, name)) for name in names if hasattr(signal, name)
    }
    yield
    after = {name: signal.getsignal(getattr(signal, name)) for name in before}
    left = [name for name in before if after[name] is not before[name]]
    for name in left:
        signal.signal(getattr(signal, name), before[name])
    assert not left, f"the test left its own handler for {', '.join(left)}"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, config_home: Path) -> None:
    """No setting of the machine's reaches a test: no APINODE_* variable, no proxy, no config."""
    for name in list(os.environ):
        if name.startswith(ISOLATE_PREFIXES) or name.upper() in ISOLATE:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    monkeypatch.setenv("NO_PROXY", "*")


@pytest.fixture
def local_tz() -> Iterator[Callable[[str], None]]:
    """Set the local time zone for one test: ``local_tz("XST+05")`` (POSIX TZ or a zone name)."""
    with pytest.MonkeyPatch.context() as patch:

        def set_tz(spec: str) -> None:
            patch.setenv("TZ", spec)
            time.tzset()

        yield set_tz
    time.tzset()  # the variable is back as it was: so is the C library's idea of local time


@pytest.fixture
def run_cli() -> RunCli:
    """Invoke ``apinode-admin ARGS`` in-process; stdout and stderr stay separate."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        return make_runner().invoke(cli, list(args), input=input, env=env, catch_exceptions=False)

    return run


@pytest.fixture
def run_proc(config_home: Path) -> RunProc:
    """``apinode-admin ARGS`` in a real process with a clean environment (text streams)."""

    def run(*args: str, env: Any = None, timeout: float = 20, **kw: Any) -> Any:
        return subprocess.run(
            cli_command(*args),
            env=clean_env(config_home, **(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            **kw,
        )

    return run


@pytest.fixture
def node_cli(emulator: EmulatorHandle, run_cli: RunCli) -> RunCli:
    """Like run_cli, connected to the test's emulator through the environment."""
    return connected(run_cli, emulator.uri, emulator.admin_key)


class Fleet:
    """Emulators by profile name (None for a node that is down) and the config file."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.nodes: dict[str, Optional[EmulatorHandle]] = {}
        self.uris: dict[str, str] = {}

    def node(self, name: str) -> EmulatorHandle:
        handle = self.nodes[name]
        assert handle is not None
        return handle


@pytest.fixture
def make_fleet(
    tmp_path_factory: pytest.TempPathFactory, config_home: Path
) -> Iterator[Callable[..., Fleet]]:
    """make_fleet("a", "b", down=("c",), latency={"a": 200}): emulators and [fleets.prod]."""
    started: list[EmulatorHandle] = []

    def make(
        *names: str,
        down: tuple[str, ...] = (),
        latency: Optional[dict[str, float]] = None,
        fleets: Optional[dict[str, list[str]]] = None,
    ) -> Fleet:
        path = config_home / "apinode-admin" / "config.toml"
        path.parent.mkdir(parents=True, exist_ok=True)
        fleet = Fleet(path)
        profiles: dict[str, Any] = {}
        for name in names:
            if name in down:
                fleet.nodes[name] = None
                uri, key = closed_port_uri(), f"key-of-{name}-0000"
            else:
                handle = start_emulator(
                    data_dir=tmp_path_factory.mktemp(f"node-{name}"),
                    admin_key=f"key-of-{name}-{len(started):04d}",
                    latency_ms=(latency or {}).get(name, 0),
                )
                started.append(handle)
                fleet.nodes[name] = handle
                uri, key = handle.uri, handle.admin_key
            fleet.uris[name] = uri
            # Few retries: a node that is down must fail fast in tests.
            profiles[name] = {"uri": uri, "api_key": key, "retries": 1}
        chosen = fleets or {"prod": list(names)}
        data = {"profiles": profiles, "fleets": {k: {"profiles": v} for k, v in chosen.items()}}
        path.write_text(dumps_toml(data), encoding="utf-8")
        path.chmod(0o600)
        return fleet

    yield make
    for handle in started:
        handle.stop()


@pytest.fixture
def fleet_cli(run_cli: RunCli) -> RunCli:
    """apinode-admin --fleet prod ARGS (the fleet of make_fleet)."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        return run_cli("--fleet", "prod", *args, input=input, env=env)

    return run


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[APINodeAdminClient]:
    """An admin client on the test's emulator, without retries (faults must fail at once)."""
    with APINodeAdminClient(emulator.uri, emulator.admin_key, retries=1) as admin:
        yield admin


@pytest.fixture
def archive(make_archive: Callable[..., Path]) -> Callable[[str], str]:
    """``archive("v2")``: the absolute path of an archive whose generation id is ``v2``."""

    def make(generation: str) -> str:
        return str(make_archive(generation).resolve())

    return make


@pytest.fixture
def api(emulator: Any) -> Api:
    """``api(METHOD, "/admin/api/...", **requests_kwargs)`` with the admin key, no retries."""
    session = requests.Session()
    session.auth = (emulator.admin_key, "")

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return session.request(method, emulator.uri + path, **kwargs)

    return call


@pytest.fixture
def deploy(make_archive: Callable[..., Path]) -> Deploy:
    """Services deployed on real emulators, by the official client or by this tool."""
    return Deploy(make_archive)


@pytest.fixture
def probe_file(tmp_path: Path) -> Path:
    """Three probes: two feature objects and one record in the user API's shape."""
    path = tmp_path / "probes.jsonl"
    path.write_text(
        '{"tenure": 3, "plan": "basic"}\n\n{"tenure": 12}\n{"features": {"tenure": 40}}\n',
        encoding="utf-8",
    )
    return path
