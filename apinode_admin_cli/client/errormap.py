"""Turn HTTP error answers into the package's exception tree.

Who answered decides the class before the status does. An API node explains every error with a
JSON object holding ``errorType`` or ``message``; a 4xx without one comes from something else (a
web server on the wrong port, DSS itself, a portal), so it is a ``NotAnAPINodeError`` (exit 7)
and never "not found" or "conflict". Two exceptions keep their usual meaning: 5xx, which proxies
in front of a node legitimately answer (502/503/504 pages, and they are retried), and 429, a rate
limit set in front of the node. A body that is JSON but too deeply nested to read is assumed to
be the node's and mapped by its status.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Optional, Union

from apinode_admin_cli.errors import (
    APIError,
    AuthenticationError,
    ConflictError,
    NotAnAPINodeError,
    NotFoundError,
    ServerError,
)
from apinode_admin_cli.jsonutil import TooDeepError, loads
from apinode_admin_cli.redact import scrub

if TYPE_CHECKING:
    from apinode_admin_cli.client.result import HttpResult

ADMIN_AUTH_HINT = (
    "check the admin API key (--api-key, --api-key-file or APINODE_ADMIN_API_KEY); "
    "service keys are not admin keys"
)
SERVICE_AUTH_HINT = "check the service API key (--service-key); admin keys do not open services"
_NOT_FOUND_TYPES = ("notfound", "unknownobject", "nosuch")
_NOT_FOUND_TEXT = re.compile(r"(not found|does not exist|doesn't exist)\W*$", re.I)


def looks_like_html(content: bytes, content_type: str) -> bool:
    """True for the HTML pages proxies and login portals answer with."""
    if "html" in content_type.lower():
        return True
    head = content[:512].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<?xml"))


class _TooDeep:
    """Stands for an error body that is JSON too deeply nested to read."""


def _parse_error_body(content: bytes) -> Any:
    """The body's JSON object, ``_TooDeep`` for an unreadably deep one, else None."""
    try:
        payload = loads(content)
    except TooDeepError:
        return _TooDeep()
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


def is_node_error(content: bytes) -> bool:
    """True when an error body is what an API node sends: JSON with errorType or message."""
    payload = _parse_error_body(content)
    if isinstance(payload, _TooDeep):
        return True
    return payload is not None and bool(
        _text(payload.get("errorType")) or _text(payload.get("message"))
    )


def not_a_node_answer(status: int, content: bytes) -> bool:
    """True for an error answer that no API node gives (see the module's docstring)."""
    return 400 <= status < 500 and status != 429 and not is_node_error(content)


def described(content: bytes, content_type: str) -> str:
    """What a body is, in a few words: "an HTML page (text/html)", "an empty body"..."""
    kind = content_type.split(";")[0].strip() or "no content type"
    if not content.strip():
        return f"an empty body ({kind})"
    if looks_like_html(content, content_type):
        return f"an HTML page ({kind})"
    return f"a body that is not an API node's JSON ({kind})"


def not_an_api_node(
    root: str, method: str, path: str, status: int, reason: str, content: bytes, content_type: str
) -> NotAnAPINodeError:
    """The error for an answer no API node would give to ``method path``."""
    phrase = reason or _phrase(status)
    return NotAnAPINodeError(
        f"{root} does not look like an API node: {method} {path} answered HTTP {status} "
        f"{phrase} with {described(content, content_type)}",
        status=status,
        content_type=content_type or None,
        hint=(
            f"check --uri: it must be the API node's base URL (default port 12000), where "
            f"GET {root}/isAlive/ answers 200; a proxy in front may also have refused the request"
        ),
    )


def not_a_node_success(
    root: str,
    method: str,
    path_of: Callable[[], str],
    result: HttpResult,
    secrets: Iterable[Optional[str]],
) -> Optional[NotAnAPINodeError]:
    """The error for a non-error answer no API node gives (a redirect, a page), else None.

    ``path_of`` gives the path shown to people: worked out only for an error.
    """
    ctype = result.headers.get("Content-Type", "")
    if 300 <= result.status < 400:
        # Reads follow redirects; a write does not (see exchange), so its redirect ends here.
        location = scrub(result.headers.get("Location") or "nowhere", list(secrets))
        phrase = result.reason or _phrase(result.status)
        return NotAnAPINodeError(
            f"{root} does not look like an API node: {method} {path_of()} answered HTTP "
            f"{result.status} {phrase}, a redirect to {location}",
            status=result.status,
            content_type=ctype or None,
            hint="check --uri: an API node does not redirect (a proxy sending http:// to "
            "https://?); give the base URL the node answers at",
        )
    if looks_like_html(result.content, ctype):
        # A web server on the wrong port, or a proxy's login portal, answered in its place.
        args = (result.status, result.reason, result.content, ctype)
        return not_an_api_node(root, method, path_of(), *args)
    return None


def http_error(
    status: int,
    reason: str,
    content: bytes,
    content_type: str,
    *,
    attempts: int = 1,
    auth_hint: str = ADMIN_AUTH_HINT,
    secrets: Iterable[Optional[str]] = (),
    where: Optional[tuple[str, str, str]] = None,
) -> Union[APIError, NotAnAPINodeError]:
    """Build the exception for an HTTP error answer (status >= 400).

    ``where`` is (node root, method, path shown to people); with it, a 4xx that is not a node's
    JSON error becomes a ``NotAnAPINodeError``.
    """
    hidden = list(secrets)
    if where is not None and not_a_node_answer(status, content):
        root, method, path = where
        error = not_an_api_node(root, method, path, status, reason, content, content_type)
        error.message = scrub(error.message, hidden)
        return error
    phrase = reason or _phrase(status)
    payload = _parse_error_body(content)
    error_type = message = detailed = None
    if isinstance(payload, _TooDeep):
        text = f"the node answered HTTP {status} {phrase} with JSON nested too deeply to read"
    elif isinstance(payload, Mapping):
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
