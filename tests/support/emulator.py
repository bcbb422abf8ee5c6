"""Raw HTTP on the emulator: the ``api`` fixture's type and the error-answer assertion."""

from __future__ import annotations

from typing import Any, Callable

import requests

Api = Callable[..., requests.Response]


def assert_error(response: requests.Response, status: int, *words: str) -> dict[str, Any]:
    """Check a JSON error answer: status, shape, and words its message must contain."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errorType", "message", "detailedMessage"}
    assert body["errorType"].startswith("com.dataiku.")
    for word in words:
        assert word in body["message"], body["message"]
    return body
