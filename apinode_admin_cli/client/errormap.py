"""Turn transport exceptions and HTTP error answers into the package's exception tree."""

from __future__ import annotations

import json
import re
import socket
import ssl
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Iterable, Iterator, Mapping, Optional

from apinode_admin_cli.errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    ConnectionFailure,
    NotFoundError,
    ServerError,
    TimeoutFailure,
    TLSFailure,
)
from apinode_admin_cli.redact import scrub

ADMIN_AUTH_HINT = (
    "check the admin API key (--api-key, --api-key-file or APINODE_ADMIN_API_KEY); "
    "service keys are not admin keys"
)
SERVICE_AUTH_HINT = "check the service API key (--service-key); admin keys do not open services"
TLS_HINT = (
    "pass --ca-bundle PATH to trust the node's certificate authority, "
    "or --no-check-certificate to skip verification (insecure)"
)
_NOT_FOUND_TYPES = ("notfound", "unknownobject", "nosuch")
_NOT_FOUND_TEXT = re.compile(r"(not found|does not exist|doesn't exist)\W*$", re.I)


@dataclass
class Failure:
    """A request that got no HTTP answer, and whether trying again is safe."""

    error: ConnectionFailure
    kind: str
    never_sent: bool
    retryable: bool


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """Every exception wrapped inside ``exc``: args, ``reason``, causes and contexts."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        cur = todo.pop(0)
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        nested: list[Any] = [*cur.args, getattr(cur, "reason", None)]
        nested += [cur.__cause__, cur.__context__]
        todo.extend(x for x in nested if isinstance(x, BaseException))


def _tls_reason(exc: BaseException) -> str:
    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLError):
            text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(inner))
            return re.sub(r"^\[SSL: \w+\]\s*", "", text) or str(inner.reason)
    return "the handshake failed"


def _tls_hint(reason: str) -> str:
    low = reason.lower().replace("_", " ")
    if "wrong version number" in low or "record layer failure" in low:
        return "the node may be serving plain HTTP: try an http:// URI"
    if "alert" in low and ("unknown ca" in low or "bad certificate" in low):
        # The node's alert, not our verification: it does not trust the certificate we sent.
        return "the node refused the client certificate (--client-cert): is its CA one it trusts?"
    if "eof occurred" in low:
        return (
            "the node hung up during the handshake: does it want a client certificate "
            "(--client-cert and --client-key), or one from another CA?"
        )
    if "certificate required" in low or "alert" in low or "client" in low:
        return "the node wants a client certificate: pass --client-cert and --client-key"
    return TLS_HINT


def classify(exc: BaseException, host: str, connect_timeout: float, timeout: float) -> Failure:
    """Map a ``requests`` exception to a ConnectionFailure plus its retry safety."""
    import requests
    from urllib3 import exceptions as u3

    rex = requests.exceptions
    inner = list(_chain(exc))
    if isinstance(exc, rex.SSLError):
        reason = _tls_reason(exc)
        msg = f"TLS with {host} failed: {reason}"
        return Failure(TLSFailure(msg, hint=_tls_hint(reason)), "tls error", False, False)
    if isinstance(exc, rex.ConnectTimeout):
        msg = f"could not connect to {host} within {connect_timeout:g} s"
        hint = "is the host reachable from here (firewall, VPN, proxy settings)?"
        return Failure(TimeoutFailure(msg, hint=hint), "connect timeout", False, True)
    if isinstance(exc, rex.ReadTimeout) or any(isinstance(e, u3.ReadTimeoutError) for e in inner):
        msg = f"the node at {host} did not answer within {timeout:g} s"
        hint = "raise the read timeout with --timeout SECONDS if the node is just slow"
        return Failure(TimeoutFailure(msg, hint=hint), "read timeout", False, False)
    if isinstance(exc, rex.ProxyError):
        msg = f"could not reach {host} through the proxy"
        hint = "check HTTPS_PROXY, HTTP_PROXY and NO_PROXY in the environment"
        return Failure(ConnectionFailure(msg, hint=hint), "proxy error", False, True)
    if any(isinstance(e, u3.NewConnectionError) for e in inner):
        return _no_connection(inner, host)
    if isinstance(exc, (rex.ConnectionError, rex.ChunkedEncodingError, rex.ContentDecodingError)):
        msg = f"the connection to {host} dropped before the answer was complete"
        hint = "a proxy, load balancer or the node itself closed it; retry, or check the node's log"
        return Failure(ConnectionFailure(msg, hint=hint), "connection dropped", False, True)
    return Failure(ConnectionFailure(f"request to {host} failed: {exc}"), "error", False, False)


def _no_connection(inner: list[BaseException], host: str) -> Failure:
    """The TCP connection never opened, so nothing was sent: safe to retry anything."""
    if any(
        isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError" for e in inner
    ):
        name = host.rsplit(":", 1)[0]
        msg = f"could not resolve host name {name!r}"
        hint = "check the host in the URI (--uri, APINODE_ADMIN_URI or the profile's uri)"
        return Failure(ConnectionFailure(msg, hint=hint), "dns failure", True, True)
    if any(isinstance(e, ConnectionRefusedError) for e in inner):
        msg = f"connection refused by {host}"
        hint = "is the API node running and listening on that port?"
        return Failure(ConnectionFailure(msg, hint=hint), "connection refused", True, True)
    why = next((e.strerror for e in inner if isinstance(e, OSError) and e.strerror), "no route")
    msg = f"could not connect to {host}: {why}"
    hint = "is the host reachable from here (firewall, VPN, proxy settings)?"
    return Failure(ConnectionFailure(msg, hint=hint), "no connection", True, True)


def looks_like_html(content: bytes, content_type: str) -> bool:
    """True for the HTML pages proxies and login portals answer with."""
    if "html" in content_type.lower():
        return True
    head = content[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml"))


def _parse_error_body(content: bytes) -> Optional[Mapping[str, Any]]:
    try:
        payload = json.loads(content)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


def http_error(
    status: int,
    reason: str,
    content: bytes,
    content_type: str,
    *,
    attempts: int = 1,
    auth_hint: str = ADMIN_AUTH_HINT,
    secrets: Iterable[Optional[str]] = (),
) -> APIError:
    """Build the exception for an HTTP error answer (status >= 400)."""
    phrase = reason or _phrase(status)
    payload = _parse_error_body(content)
    error_type = message = detailed = None
    if payload is not None:
        error_type = _text(payload.get("errorType"))
        message = _text(payload.get("message"))
        detailed = _text(payload.get("detailedMessage"))
        text = _compose(message, detailed) or f"the node answered HTTP {status} {phrase}"
        if not (message or detailed) and error_type:
            text += f" ({error_type})"
    elif looks_like_html(content, content_type):
        text = (
            f"the node answered HTTP {status} {phrase} with an HTML page, not JSON "
            "(a proxy in front of the node?)"
        )
    elif not content.strip():
        text = f"the node answered HTTP {status} {phrase} with an empty body"
    else:
        line = content.decode("utf-8", "replace").strip().splitlines()[0]
        snippet = line if len(line) <= 200 else line[:200] + "..."
        text = f"the node answered HTTP {status} {phrase}: {snippet}"
    said = [t for t in (message, detailed, text) if t]
    cls, hint = _pick_class(status, error_type, said, attempts, auth_hint)
    hidden = list(secrets)
    return cls(
        scrub(text, hidden),
        status=status,
        error_type=error_type,
        detailed_message=scrub(detailed, hidden) if detailed else None,
        hint=hint,
    )


def _compose(message: Optional[str], detailed: Optional[str]) -> Optional[str]:
    """The node's message, or its detailed message when that one says more."""
    if detailed and message and detailed != message:
        return detailed if message in detailed else f"{message}: {detailed}"
    return message or detailed


def _pick_class(
    status: int, error_type: Optional[str], said: list[str], attempts: int, auth_hint: str
) -> tuple[type[APIError], str]:
    kind = (error_type or "").lower().replace("_", "")
    not_found = any(_NOT_FOUND_TEXT.search(t) for t in said)
    if status in (401, 403):
        return AuthenticationError, auth_hint
    if status == 404 or not_found or any(k in kind for k in _NOT_FOUND_TYPES):
        return NotFoundError, "check the identifier; the matching `list` command shows what exists"
    if status == 409 or any("already exists" in t.lower() for t in said):
        return ConflictError, "it already exists; delete it first or pick another identifier"
    if status >= 500:
        tried = f" (tried {attempts} times)" if attempts > 1 else ""
        return ServerError, f"the node failed{tried}; its log (run/apimain.log) may say why"
    if status == 429:
        return APIError, "the node is rate limiting requests; wait and try again"
    return APIError, "the node rejected the request; check the arguments"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
