"""What the deployer does to an API node, through the node's admin API (standard library only)."""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from typing import Any, Callable, Optional
from urllib.parse import quote

PUSH_TIMEOUT_S = 10.0
CHECK_TIMEOUT_S = 3.0
_CHARS_OF_ERROR = 300


class NodeError(Exception):
    """A node refused a call, or could not be reached (``reachable`` False)."""

    def __init__(self, message: str, reachable: bool = True, status: int = 0) -> None:
        super().__init__(message)
        self.reachable = reachable
        self.status = status


class Node:
    """One API node as an infrastructure lists it: a base URL and an admin key."""

    def __init__(
        self, url: str, admin_key: str, timeout: float = PUSH_TIMEOUT_S, verify: bool = True
    ) -> None:
        self.url = url.rstrip("/")
        self._auth = "Basic " + base64.b64encode(f"{admin_key}:".encode()).decode("ascii")
        self.timeout = timeout
        self.verify = verify

    @classmethod
    def of_infra(cls, infra: dict[str, Any], timeout: float = PUSH_TIMEOUT_S) -> list[Node]:
        """The nodes a static infrastructure's settings list."""
        verify = not infra.get("trustAllCertificates")
        return [
            cls(n["url"], n["adminAPIKey"], timeout, verify) for n in infra.get("apiNodes") or []
        ]

    def call(self, method: str, path: str, body: Any = None, query: str = "") -> Any:
        """One admin API call; its JSON answer, else a NodeError saying what went wrong."""
        url = f"{self.url}/admin/api/{path}" + (f"?{query}" if query else "")
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", self._auth)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with opener(self.verify).open(request, timeout=self.timeout) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as exc:
            raise NodeError(f"{method} {path}: HTTP {exc.code}: {_error_text(exc)}", True, exc.code)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NodeError(f"cannot reach {self.url}: {reason}", reachable=False)
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else None
        except (UnicodeDecodeError, ValueError):
            raise NodeError(f"{method} {path}: the node answered something that is not JSON")

    def alive(self) -> bool:
        """Whether the node's ``/isAlive/`` probe (what load balancers check) succeeds."""
        request = urllib.request.Request(f"{self.url}/isAlive/", method="GET")
        try:
            with opener(self.verify).open(request, timeout=self.timeout) as answer:
                answer.read()
        except urllib.error.HTTPError:
            return False
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NodeError(f"cannot reach {self.url}: {reason}", reachable=False)
        return True

    def services(self) -> dict[str, bool]:
        """The node's services and whether each is enabled."""
        listed = self.call("GET", "services")
        if not isinstance(listed, list):
            raise NodeError("GET services: unexpected answer")
        return {
            str(s.get("serviceId")): bool(s.get("enabled", True))
            for s in listed
            if isinstance(s, dict)
        }

    def generations(self, service_id: str) -> dict[str, float]:
        """The node's generations of a service and the share of traffic each gets."""
        answer = self.call("GET", f"services/{_seg(service_id)}/generations")
        listed = answer.get("generations") if isinstance(answer, dict) else answer
        shares = {}
        for item in listed if isinstance(listed, list) else []:
            if isinstance(item, dict) and isinstance(item.get("generationId"), str):
                mapped = item.get("mapped")
                shares[item["generationId"]] = (
                    float(mapped) if isinstance(mapped, (int, float)) else 0.0
                )
        return shares


def push(
    node: Node,
    service_id: str,
    mapping: dict[str, Any],
    enabled: bool,
    archive_of: Callable[[str], str],
    log: Callable[[str], None],
) -> None:
    """Make ``node`` serve ``mapping`` of ``service_id``: create, import, map, (dis)able."""
    if service_id not in node.services():
        node.call("POST", "services", {"serviceId": service_id})
        log(f"{node.url}: created service {service_id}")
    present = node.generations(service_id)
    for entry in mapping["entries"]:
        version = entry["generation"]
        if version in present:
            continue
        path = archive_of(version)
        node.call(
            "POST",
            f"services/{_seg(service_id)}/generations/actions/importFromArchive",
            query="filePath=" + quote(path, safe=""),
        )
        log(f"{node.url}: imported version {version}")
    node.call("POST", f"services/{_seg(service_id)}/actions/setMapping", mapping)
    log(f"{node.url}: mapping set to {describe(mapping)}")
    if not enabled:
        node.call("POST", f"services/{_seg(service_id)}/actions/disable")
        log(f"{node.url}: service disabled")


def remove(node: Node, service_id: str) -> bool:
    """Delete the service from the node; False when it was not there."""
    if service_id not in node.services():
        return False
    node.call("DELETE", f"services/{_seg(service_id)}")
    return True


def observe(node: Node, service_id: str) -> Optional[dict[str, Any]]:
    """What the node serves for the service: ``{"enabled", "shares"}``, None when absent."""
    services = node.services()
    if service_id not in services:
        return None
    shares = {g: p for g, p in node.generations(service_id).items() if p > 0}
    return {"enabled": services[service_id], "shares": shares}


def describe(mapping: dict[str, Any]) -> str:
    """A mapping in one short phrase: ``v2`` or ``v1 90%, v2 10%``."""
    entries = mapping.get("entries") or []
    if len(entries) == 1:
        return str(entries[0]["generation"])
    return ", ".join(f"{e['generation']} {round(e['proba'] * 100, 2):g}%" for e in entries)


def _seg(identifier: str) -> str:
    return quote(identifier, safe="")


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read().decode("utf-8", "replace")
    except OSError:
        return exc.reason or "no answer"
    try:
        body = json.loads(raw)
        text = str(body.get("detailedMessage") or body.get("message") or raw)
    except (ValueError, AttributeError):
        text = raw
    text = " ".join(text.split())
    return text if len(text) <= _CHARS_OF_ERROR else text[:_CHARS_OF_ERROR] + "..."


_OPENERS: dict[bool, urllib.request.OpenerDirector] = {}


def opener(verify: bool = True) -> urllib.request.OpenerDirector:
    """The opener for calls to nodes: no proxy from the environment (a deployer reaches its
    nodes directly), one TLS context built once; ``verify`` False trusts any certificate."""
    if verify not in _OPENERS:
        context = ssl.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        _OPENERS[verify] = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
    return _OPENERS[verify]
