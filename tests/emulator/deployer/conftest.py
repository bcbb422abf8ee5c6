"""Fixtures for the deployer emulator: one deployer and two API node emulators per module."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest
import requests

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator
from apinode_admin_cli.emulator.deployer import DeployerHandle, start_deployer


@pytest.fixture(scope="module")
def deployer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployerHandle]:
    """A deployer emulator shared by the module's tests (each test uses ids of its own)."""
    handle = start_deployer(data_dir=tmp_path_factory.mktemp("deployer"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[EmulatorHandle]]:
    """Two API node emulators shared by the module's tests."""
    started = [start_emulator(data_dir=tmp_path_factory.mktemp(f"node{i}")) for i in (1, 2)]
    try:
        yield started
    finally:
        for node in started:
            node.stop()


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "deployer" in request.fixturenames:
        request.getfixturevalue("deployer").clear_faults()


@pytest.fixture
def node_api() -> Callable[..., requests.Response]:
    """``node_api(node, METHOD, "services/...", **kwargs)``: a node's admin API, by hand."""

    def call(node: EmulatorHandle, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        url = f"{node.uri}/admin/api/{path}"
        return requests.request(method, url, auth=(node.admin_key, ""), **kwargs)

    return call
