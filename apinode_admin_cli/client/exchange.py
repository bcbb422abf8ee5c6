"""One exchange with the node, held to its deadline and to a body size limit."""

from __future__ import annotations

import contextlib
import time
import warnings
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from apinode_admin_cli.client.result import HttpResult
from apinode_admin_cli.errors import InvalidResponseError

if TYPE_CHECKING:
    import requests


def send_once(
    session: requests.Session,
    prepared: requests.PreparedRequest,
    *,
    environment: Mapping[str, Any],
    connect_timeout: float,
    budget: float,
    max_body_bytes: int,
    shown: str,
) -> HttpResult:
    """Send ``prepared`` and read the whole answer within ``budget`` seconds.

    ``environment`` is what ``Session.merge_environment_settings`` gives for the URL (proxies,
    CA bundle, client certificate), as ``Session.request`` would pass it on.

    Raises ``DeadlinePassed`` when the budget ran out (whatever the read then saw), requests'
    exceptions for other transport failures, and InvalidResponseError for an oversized body.
    """
    method = prepared.method or ""

    def send(timeout: tuple[float, float]) -> Any:
        return session.send(
            prepared,
            timeout=timeout,
            # Followed, a 301/302/303 turns a write into a GET, whose 200 would pass for
            # the write's success; the transport refuses a redirected write instead.
            allow_redirects=method in ("GET", "HEAD"),
            **environment,
        )

    result = _exchange(
        send, method, environment.get("verify") is False, connect_timeout, budget,
        max_body_bytes, shown, handoff=False,
    )  # fmt: skip
    assert result is not None
    return result


def send_direct(
    route: Any,
    target: str,
    url: str,
    *,
    insecure: bool,
    connect_timeout: float,
    budget: float,
    max_body_bytes: int,
    shown: str,
) -> Optional[HttpResult]:
    """``GET target`` on a ``direct.Route``, as :func:`send_once` would send it.

    None when the answer is one that ``requests`` must handle (a redirect, a cookie, an
    encoding other than gzip or deflate): the caller then sends the read the usual way.
    """
    from apinode_admin_cli.client import direct

    return _exchange(
        lambda timeout: direct.send(route, target, url, timeout),
        "GET", insecure, connect_timeout, budget, max_body_bytes, shown, handoff=True,
    )  # fmt: skip


def _exchange(
    send: Callable[[tuple[float, float]], Any],
    method: str,
    insecure: bool,
    connect_timeout: float,
    budget: float,
    max_body_bytes: int,
    shown: str,
    handoff: bool,
) -> Optional[HttpResult]:
    from apinode_admin_cli.client.deadline import AttemptWatch, DeadlinePassed

    start = time.monotonic()
    watch = AttemptWatch(budget)
    try:
        with watch, warnings.catch_warnings() if insecure else contextlib.nullcontext():
            if insecure:
                # The CLI prints its own warning once; urllib3's repeats on every request.
                from urllib3.exceptions import InsecureRequestWarning

                warnings.simplefilter("ignore", InsecureRequestWarning)
            response = send((min(connect_timeout, budget), budget))
            if handoff and response.wants_requests():
                response.close()
                return None
            try:
                content = _read(response, method, shown, max_body_bytes)
            finally:
                response.close()
    except Exception as exc:
        if watch.expired:
            raise DeadlinePassed() from exc
        raise
    if watch.expired:  # the body may have been cut short by the watchdog
        raise DeadlinePassed()
    return HttpResult(
        method=method,
        url=shown,
        status=response.status_code,
        reason=response.reason or "",
        headers=response.headers,
        content=content,
        elapsed_ms=(time.monotonic() - start) * 1000,
    )


def _read(response: Any, method: str, shown: str, limit: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    too_big = InvalidResponseError(
        f"the answer to {method} {shown} is larger than {limit} bytes; refusing to read it",
        hint="is the URI pointing at the API node? the limit protects memory",
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(chunk_size=65536):
        total += len(chunk)
        if total > limit:
            raise too_big
        chunks.append(chunk)
    encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
    if declared.isdigit() and total < int(declared) and not encoded and method != "HEAD":
        # urllib3 2 checks this itself; urllib3 1.26 would take a cut-short body for a whole one.
        from requests.exceptions import ChunkedEncodingError

        raise ChunkedEncodingError(f"the answer ended after {total} of {declared} bytes")
    return b"".join(chunks)
