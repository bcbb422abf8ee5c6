"""pytest plugin: ``apinode_emulator`` (an API node emulator) and ``apinode_deployer`` fixtures.

Installed with the package (entry point group ``pytest11``), so any test suite can use it::

    def test_deploy(apinode_emulator):
        client = APINodeAdminClient(apinode_emulator.uri, apinode_emulator.admin_key)
        ...
        assert apinode_emulator.received[-1]["path"] == "/admin/api/services"

Disable it with ``-p no:apinode_emulator``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:  # the emulator is imported by the fixture only: loading the plugin is cheap
    from apinode_admin_cli.emulator import EmulatorHandle
    from apinode_admin_cli.emulator.deployer import DeployerHandle


@pytest.fixture
def apinode_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """A running API node emulator on a free loopback port, with its own data dir.

    Yields its handle: ``uri``, ``admin_key``, ``received`` (the journal of requests),
    ``add_fault(...)``, ``data_dir`` and ``stop()``; it is stopped after the test.
    """
    from apinode_admin_cli.emulator import start_emulator

    handle = start_emulator(data_dir=tmp_path_factory.mktemp("apinode-emulator"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def apinode_deployer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployerHandle]:
    """A running API Deployer emulator on a free loopback port, with its own data dir.

    Yields its handle: ``uri``, ``api_key`` (for ``dataikuapi.DSSClient(uri, api_key)``),
    ``received``, ``add_fault(...)``, ``add_job_fault(...)``, ``data_dir`` and ``stop()``;
    it is stopped after the test, with the node emulators it ran for K8S infrastructures.
    """
    from apinode_admin_cli.emulator.deployer import start_deployer

    handle = start_deployer(data_dir=tmp_path_factory.mktemp("apinode-deployer"))
    try:
        yield handle
    finally:
        handle.stop()
