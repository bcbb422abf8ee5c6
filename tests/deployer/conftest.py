"""Fixtures for the deployer client and commands: the client tests' recording server."""

from __future__ import annotations

from typing import Iterator

import pytest
from support.recording_server import RecordingServer


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv
