"""Fixtures for the deployer client and commands: the client tests' recording server."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

# The recording server lives with the node client's tests; share it rather than copy it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "client"))

from recording_server import RecordingServer  # noqa: E402


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv
