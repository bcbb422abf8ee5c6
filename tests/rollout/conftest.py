"""Fixtures of the rollout tests: services deployed on real emulators, and a probe file."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from rollout_helpers import Deploy


@pytest.fixture
def deploy(make_archive: Callable[..., Path]) -> Deploy:
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
