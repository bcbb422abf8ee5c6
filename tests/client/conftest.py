"""Fixtures for the client tests: a recording server and fast-retrying clients."""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterator

import pytest
from support.fault_server import KEY, RecordingServer

from apinode_admin_cli.client import APINodeAdminClient

__all__ = ["KEY"]


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer() as srv:
        yield srv


@pytest.fixture
def make_client(server: RecordingServer) -> Iterator[Callable[..., APINodeAdminClient]]:
    """Build clients against the recording server with tiny backoff so retries stay fast."""
    made: list[APINodeAdminClient] = []

    def make(**options: Any) -> APINodeAdminClient:
        settings: dict[str, Any] = {"backoff_base": 0.01, "retry_after_cap": 0.2}
        settings.update(options)
        uri = settings.pop("uri", server.url)
        client = APINodeAdminClient(uri, settings.pop("api_key", KEY), **settings)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def http_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture the DEBUG exchange log."""
    caplog.set_level(logging.DEBUG, logger="apinode_admin_cli.http")
    return caplog
