"""The world of the deployer command tests: a deployer emulator and two node emulators.

One world per test module (started once, stopped after its last test). The keys are the
module's own ``DSS_KEY`` and ``NODE_KEYS``, so a secret leaked by one module's commands is
recognisable as that module's.
"""

from __future__ import annotations

from typing import Iterator

import pytest
from support.deployer_emulator import Emulators

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator
from apinode_admin_cli.emulator.deployer import start_deployer


@pytest.fixture(scope="module")
def emulators(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Emulators]:
    dss_key: str = request.module.DSS_KEY
    node_keys: tuple[str, ...] = request.module.NODE_KEYS
    nodes: list[EmulatorHandle] = []
    deployer = None
    try:
        for i, key in enumerate(node_keys):
            nodes.append(
                start_emulator(data_dir=tmp_path_factory.mktemp(f"node{i}"), admin_key=key)
            )
        deployer = start_deployer(data_dir=tmp_path_factory.mktemp("deployer"), api_key=dss_key)
        yield Emulators(deployer, nodes, dss_key)
    finally:
        if deployer is not None:
            deployer.stop()
        for node in nodes:
            node.stop()
