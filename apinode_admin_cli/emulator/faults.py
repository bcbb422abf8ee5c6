"""Fault injection queue, request journal, and their ``/__emulator__/`` control routes."""

from __future__ import annotations

import collections
import itertools
import json
import re
import threading
import time
from typing import Any, Callable, Optional

from apinode_admin_cli.emulator.errors import ApiError, bad_request
from apinode_admin_cli.emulator.options import MAX_DELAY_MS
from apinode_admin_cli.emulator.routes import Request, Router, canonical_segments, masked_path

router = Router()
JOURNAL_SIZE = 1000
JOURNAL_BODY_BYTES = 64 * 1024  # kept per request: 1000 of them stay within 64 MB
_FAULT_FIELDS = {
    "match", "count", "status", "retryAfter", "body", "contentType", "delayMs", "drop", "headers",
    "method", "path", "pathRegex",
}  # fmt: skip
_AUTH_SCHEMES = {"basic", "bearer", "digest", "negotiate", "token"}


def normalize_fault(spec: Any) -> dict[str, Any]:
    """Validate a fault spec and fill its defaults; a 400 names the first problem."""
    if not isinstance(spec, dict):
        raise bad_request("Invalid fault: expected a JSON object")
    unknown = sorted(set(spec) - _FAULT_FIELDS)
    if unknown:
        raise bad_request(f"Invalid fault: unknown field(s) {', '.join(unknown)}")
    match = spec.get("match") or {}
    if not isinstance(match, dict):
        raise bad_request("Invalid fault: 'match' must be an object")
    match = {k: match.get(k, spec.get(k)) for k in ("method", "path", "pathRegex")}
    for name, value in match.items():
        if value is not None and not isinstance(value, str):
            raise bad_request(f"Invalid fault: match.{name} must be a string")
    if match["pathRegex"] is not None:
        try:
            re.compile(match["pathRegex"])
        except re.error as exc:
            raise bad_request(f"Invalid fault: match.pathRegex does not compile: {exc}")
    count = spec.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise bad_request("Invalid fault: 'count' must be an integer >= 1")
    status = spec.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599
    ):
        raise bad_request("Invalid fault: 'status' must be an HTTP status between 100 and 599")
    delay = spec.get("delayMs", 0)
    if (
        isinstance(delay, bool)
        or not isinstance(delay, (int, float))
        or not 0 <= delay <= MAX_DELAY_MS  # NaN fails too
    ):
        raise bad_request(f"Invalid fault: 'delayMs' must be a number from 0 to {MAX_DELAY_MS}")
    drop = spec.get("drop", False)
    if drop not in (False, True, "mid-body"):
        raise bad_request("Invalid fault: 'drop' must be true, false or \"mid-body\"")
    if status is None and not delay and not drop:
        raise bad_request("Invalid fault: give at least one of 'status', 'delayMs', 'drop'")
    headers = spec.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        name and _header_safe(name) and _header_safe(value) for name, value in headers.items()
    ):
        raise bad_request("Invalid fault: 'headers' must map names to one-line strings")
    content_type = spec.get("contentType")
    if content_type is not None and not _header_safe(content_type):
        raise bad_request("Invalid fault: 'contentType' must be a one-line string")
    retry_after = spec.get("retryAfter")
    if retry_after is not None and not (
        _header_safe(retry_after)
        or (isinstance(retry_after, (int, float)) and not isinstance(retry_after, bool))
    ):
        raise bad_request("Invalid fault: 'retryAfter' must be a number or a one-line string")
    if match["method"]:
        match["method"] = match["method"].upper()
    return {
        "match": {k: v for k, v in match.items() if v is not None},
        "count": count,
        "status": status,
        "retryAfter": retry_after,
        "body": spec.get("body"),
        "contentType": content_type,
        "delayMs": delay,
        "drop": drop,
        "headers": headers,
    }


def _header_safe(value: Any) -> bool:
    """A string that can be sent as a header without breaking the answer's framing."""
    return isinstance(value, str) and "\r" not in value and "\n" not in value


def path_matches(prefix: str, path: str) -> bool:
    """A segment-wise prefix: ``/admin/api/services`` matches ``.../services/x`` only.

    ``path`` is canonical (``services``); so is the prefix once spelled the same way.
    """
    prefix = "/" + "/".join(canonical_segments([s for s in prefix.split("/") if s]))
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def injected_answer(fault: dict[str, Any]) -> tuple[int, bytes, str, dict[str, str]]:
    """Status, body, content type and headers of the answer a fault with a ``status`` sends."""
    body = fault["body"]
    content_type = fault["contentType"]
    if body is None:
        body = ApiError(fault["status"], f"Injected fault: HTTP {fault['status']}").to_json()
    if not isinstance(body, str):
        body, content_type = json.dumps(body), content_type or "application/json"
    if not content_type:
        content_type = "text/html" if body.lstrip().startswith("<") else "text/plain"
    headers = dict(fault["headers"])
    if fault["retryAfter"] is not None:
        headers["Retry-After"] = str(fault["retryAfter"])
    return fault["status"], body.encode("utf-8"), content_type, headers


class FaultQueue:
    """Pending faults, each consumed by the next ``count`` uses that match it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []

    def add(self, spec: Any) -> dict[str, Any]:
        """Queue a fault (validated) and return it."""
        raise NotImplementedError

    def _queue(self, fault: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._stamp(fault)
            self._pending.append(fault)
            return dict(fault)

    def _stamp(self, fault: dict[str, Any]) -> None:
        """Complete a fault as it is queued (nothing by default)."""

    def _take_first(self, matches: Callable[[dict[str, Any]], bool]) -> Optional[dict[str, Any]]:
        """Consume one use of the first pending fault that ``matches``, if any."""
        with self._lock:
            for fault in self._pending:
                if not matches(fault):
                    continue
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self._pending.remove(fault)
                return dict(fault)
        return None

    def list(self) -> list[dict[str, Any]]:
        """The pending faults, oldest first."""
        with self._lock:
            return [dict(f) for f in self._pending]

    def clear(self) -> int:
        """Drop every pending fault; return how many there were."""
        with self._lock:
            count = len(self._pending)
            self._pending.clear()
            return count


def queue_routes(router: Router, path: str, queue_of: Callable[[Any], FaultQueue]) -> None:
    """Register GET (list), POST (add) and DELETE (clear) on ``path`` for an app's queue."""

    @router.route("GET", path)
    def list_queue(req: Request) -> Any:
        return {"faults": queue_of(req.app).list()}

    @router.route("POST", path)
    def add_to_queue(req: Request) -> Any:
        return {"ok": True, "fault": queue_of(req.app).add(req.json())}

    @router.route("DELETE", path)
    def clear_queue(req: Request) -> Any:
        return {"ok": True, "cleared": queue_of(req.app).clear()}


class Faults(FaultQueue):
    """Pending HTTP faults, each consumed by the next ``count`` matching requests."""

    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)

    def add(self, spec: Any) -> dict[str, Any]:
        """Queue a fault (validated) and return it with its ``id``."""
        return self._queue(normalize_fault(spec))

    def _stamp(self, fault: dict[str, Any]) -> None:
        fault["id"] = next(self._ids)

    def take(self, method: str, path: str, raw_path: str) -> Optional[dict[str, Any]]:
        """Consume one use of the first fault matching this request, if any."""

        def matches(fault: dict[str, Any]) -> bool:
            match = fault["match"]
            return not (
                (match.get("method") and match["method"] != method)
                or (match.get("path") and not path_matches(match["path"], path))
                or (match.get("pathRegex") and not re.search(match["pathRegex"], raw_path))
            )

        return self._take_first(matches)


class Journal:
    """The last requests received, for tests comparing wire requests."""

    def __init__(self, size: int = JOURNAL_SIZE) -> None:
        self._lock = threading.Lock()
        self._items: collections.deque[dict[str, Any]] = collections.deque(maxlen=size)

    def record(self, entry: dict[str, Any]) -> None:
        """Remember one request."""
        with self._lock:
            self._items.append(entry)

    def list(self) -> list[dict[str, Any]]:
        """Copies of the recorded requests, oldest first."""
        with self._lock:
            return [
                dict(e, headers=dict(e["headers"]), query=dict(e["query"])) for e in self._items
            ]

    def clear(self) -> None:
        """Forget every recorded request."""
        with self._lock:
            self._items.clear()


def journal_entry(req: Request) -> dict[str, Any]:
    """The journal record of a request, its body capped (the path is masked when served)."""
    return {
        "time": time.time(),
        "method": req.method,
        "path": req.raw_path,
        "decoded_path": "/" + "/".join(req.segments),
        "raw_query": req.raw_query,
        "query": dict(req.query),
        "headers": dict(req.headers),
        "body": req.body[:JOURNAL_BODY_BYTES],
        "body_size": len(req.body),
    }


def forget_body(entry: dict[str, Any]) -> None:
    """Drop the body of a journaled request (one refused for want of a valid key)."""
    entry["body"] = b""


def _wire_view(entry: dict[str, Any]) -> dict[str, Any]:
    headers = dict(entry["headers"])
    for name in headers:
        if name.lower() == "authorization":
            # The first word is kept only when it is a scheme: it may be a bare key.
            scheme = headers[name].split(" ", 1)[0]
            headers[name] = f"{scheme} ***" if scheme.lower() in _AUTH_SCHEMES else "***"
    # Any admin key reads this: a key deleted by its secret must not show it to the others.
    masked = masked_path(entry["path"])
    return {
        "time": entry["time"],
        "method": entry["method"],
        "path": masked,
        "decodedPath": entry["decoded_path"] if masked == entry["path"] else masked,
        "rawQuery": entry["raw_query"],
        "query": entry["query"],
        "headers": headers,
        "body": entry["body"].decode("utf-8", "replace"),
        "bodySize": entry["body_size"],
    }


queue_routes(router, "__emulator__/faults", lambda app: app.faults)


@router.route("GET", "__emulator__/requests")
def list_requests(req: Request) -> Any:
    return {"requests": [_wire_view(e) for e in req.app.journal.list()]}


@router.route("DELETE", "__emulator__/requests")
def clear_requests(req: Request) -> Any:
    req.app.journal.clear()
    return {"ok": True}
