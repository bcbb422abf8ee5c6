"""Fixtures of the data dir tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nodedirs import MakeDataDir, lay_out


@pytest.fixture
def make_data_dir(tmp_path: Path) -> MakeDataDir:
    """``make_data_dir(name, base_port=..., port=..., keys=[...])``: a fresh node data dir."""

    def make(name: str = "dss-api", **kw: Any) -> Path:
        return lay_out(tmp_path / name, **kw)

    return make
