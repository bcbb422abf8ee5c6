"""Raw-HTTP helpers for the emulator tests."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import requests

Api = Callable[..., requests.Response]


@pytest.fixture
def api(emulator: Any) -> Api:
    """``api(METHOD, "/admin/api/...", **requests_kwargs)`` with the admin key, no retries."""
    session = requests.Session()
    session.auth = (emulator.admin_key, "")

    def call(method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return session.request(method, emulator.uri + path, **kwargs)

    return call
