"""Fixtures of the data dir tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from support.datadir import CLI_KEY, ENTRY, MakeDataDir, lay_out

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator


@pytest.fixture
def make_data_dir(tmp_path: Path) -> MakeDataDir:
    """``make_data_dir(name, base_port=..., port=..., keys=[...])``: a fresh node data dir."""

    def make(name: str = "dss-api", **kw: Any) -> Path:
        return lay_out(tmp_path / name, **kw)

    return make


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmulatorHandle, Path]]:
    """An emulator whose admin key is the CLI key of a data dir pointing at its port."""
    handle = start_emulator(data_dir=tmp_path_factory.mktemp("emu"), admin_key=CLI_KEY)
    root = lay_out(
        tmp_path_factory.mktemp("node") / "data", base_port=handle.port - 1, keys=[ENTRY]
    )
    try:
        yield handle, root
    finally:
        handle.stop()
