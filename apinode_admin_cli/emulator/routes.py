"""Request object, path normalisation and a tiny segment-pattern router."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, unquote

from apinode_admin_cli.emulator.errors import ApiError, bad_request, not_found


@dataclass
class Request:
    """One decoded request as the handlers see it."""

    method: str
    raw_path: str
    segments: list[str]
    raw_query: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    app: Any = None  # the Emulator: store, metrics, faults
    key: Optional[dict[str, Any]] = None  # the authenticated admin key record

    def json(self, required: bool = True) -> Any:
        """The body parsed as JSON whatever the Content-Type; None when empty and optional."""
        if not self.body.strip():
            if required:
                raise bad_request("Missing JSON body")
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise bad_request(f"Malformed JSON body: {exc}")
        except RecursionError:
            raise bad_request("Malformed JSON body: nested too deeply")


@dataclass
class Response:
    """A non-default answer: a status other than 200 or extra headers."""

    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


def split_path(raw_path: str) -> list[str]:
    """Decoded path segments: empty ones (double or trailing slashes) dropped, each unquoted."""
    segments = []
    for part in raw_path.split("/"):
        if not part:
            continue
        try:
            segments.append(unquote(part, errors="strict"))
        except UnicodeDecodeError:
            raise bad_request(f"Invalid path segment {part!r}: not valid UTF-8 once decoded")
    return segments


def canonical_segments(segments: list[str]) -> list[str]:
    """``admin/api/service/...`` spelled ``admin/api/services/...``: the same route."""
    if segments[:3] == ["admin", "api", "service"]:
        return ["admin", "api", "services", *segments[3:]]
    return segments


def parse_query(raw_query: str) -> dict[str, str]:
    """Query parameters, the last value winning when one is repeated."""
    try:
        pairs = parse_qs(raw_query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise bad_request("Invalid query string: not valid UTF-8 once decoded")
    return {name: values[-1] for name, values in pairs.items()}


Handler = Callable[..., Any]


class Router:
    """Routes ``METHOD a/{b}/c`` patterns to handlers receiving the ``{b}`` values."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, list[str], Handler]] = []

    @classmethod
    def merged(cls, *routers: Router) -> Router:
        """One router holding the routes of ``routers``, in order."""
        merged = cls()
        for router in routers:
            merged._routes.extend(router._routes)
        return merged

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        """Register ``handler`` for ``method`` on ``pattern`` (segments; ``{name}`` captures)."""
        self._routes.append((method, [s for s in pattern.split("/") if s], handler))

    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`add`."""

        def register(handler: Handler) -> Handler:
            self.add(method, pattern, handler)
            return handler

        return register

    def match(self, method: str, segments: list[str]) -> tuple[Handler, dict[str, str]]:
        """The handler and captured values for a request, else a 404 or 405 error."""
        allowed: list[str] = []
        best: Optional[tuple[int, Handler, dict[str, str]]] = None
        length = len(segments)
        for route_method, pattern, handler in self._routes:
            if len(pattern) != length:
                continue  # the usual case, settled without a call
            params = _match(pattern, segments)
            if params is None:
                continue
            if route_method != method:
                allowed.append(route_method)
                continue
            # Literal segments beat captures: `generations/actions/...` over `{gen}/preload`.
            literals = sum(1 for s in pattern if not s.startswith("{"))
            if best is None or literals > best[0]:
                best = (literals, handler, params)
        if best is not None:
            return best[1], best[2]
        if allowed:
            raise ApiError(
                405,
                f"Method {method} not allowed here; allowed: {', '.join(sorted(set(allowed)))}",
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise not_found(f"No such endpoint: {method} /{'/'.join(segments)}")


def _match(pattern: list[str], segments: list[str]) -> Optional[dict[str, str]]:
    if len(pattern) != len(segments):
        return None
    params = {}
    for expected, actual in zip(pattern, segments):
        if expected.startswith("{"):
            params[expected[1:-1]] = actual
        elif expected != actual:
            return None
    return params


def masked_path(raw_path: str) -> str:
    """The path as logged and journaled: the secret of ``DELETE keys/{secret}`` never shows."""
    # Decoded as the router decodes it, so `%6Beys/SECRET` is masked too; only
    # `keys/{id}/key` names a key by something other than its secret.
    segments = [unquote(p) for p in raw_path.split("/") if p]
    by_id = len(segments) == 5 and segments[4] == "key"
    if segments[:3] == ["admin", "api", "keys"] and len(segments) > 3 and not by_id:
        return "/admin/api/keys/***"
    return raw_path
