"""Fleets of real emulators on free ports, and a config file naming them."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest
from click.testing import Result
from testsupport import RunCli, closed_port_uri

from apinode_admin_cli.config import dumps_toml
from apinode_admin_cli.emulator import EmulatorHandle, start_emulator


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
