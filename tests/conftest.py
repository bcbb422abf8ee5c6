"""Shared fixtures: a fresh emulator per test and a generation-archive factory."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Callable, Iterator

import pytest

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator


@pytest.fixture
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    """A running emulator on a free port with its own data dir; stopped after the test."""
    handle = start_emulator(data_dir=tmp_path_factory.mktemp("emulator-data"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def make_archive(tmp_path: Path) -> Callable[..., Path]:
    """Build ``{tmp}/archives/{name}.zip``: a small valid generation archive with a manifest."""

    def make(name: str = "v1", code_envs: tuple[str, ...] = (), endpoint: str = "predict") -> Path:
        folder = tmp_path / "archives"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.zip"
        manifest = {"generation": name, "endpoints": [endpoint], "codeEnvs": list(code_envs)}
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("manifest.json", json.dumps(manifest))
            archive.writestr(f"endpoints/{endpoint}/model.json", json.dumps({"emulated": True}))
        return path

    return make
