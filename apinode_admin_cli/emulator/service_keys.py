"""Service API keys of the user API: declared per service, checked on every query."""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from apinode_admin_cli.emulator.admin_services import changing, service_not_found
from apinode_admin_cli.emulator.errors import ApiError, bad_request
from apinode_admin_cli.emulator.keystore import hash_key
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.validation import validate_id

router = Router()
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="DSS API node service"'}


def accepted_keys(service: dict[str, Any]) -> list[str]:
    """Hashes of every key the service accepts: its own, and those of its generations' packages."""
    hashes = list(service.get("apiKeys") or [])
    for generation in service["generations"].values():
        hashes.extend(generation.get("apiKeys") or [])
    return hashes


def _presented(headers: dict[str, str]) -> list[str]:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return [token.strip()]
    if scheme.lower() != "basic":
        return []
    try:
        credentials = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return []
    # As for admin keys: the user name may arrive as UTF-8 (curl) or Latin-1 (requests).
    users = []
    for charset in ("utf-8", "latin-1"):
        try:
            users.append(credentials.decode(charset).split(":")[0])
        except UnicodeDecodeError:
            continue
    return [u for u in users if u]


def check_service_key(service: dict[str, Any], sid: str, headers: dict[str, str]) -> None:
    """A 401 unless the service is public or the request carries one of its keys."""
    hashes = accepted_keys(service)
    if not hashes:
        return
    presented = _presented(headers)
    if not presented:
        raise ApiError(
            401,
            f"Service {sid!r} requires an API key: send it as the HTTP Basic user name "
            "(empty password) or as a Bearer token",
            headers=_CHALLENGE,
        )
    for candidate in presented:
        digest = hash_key(candidate)
        if any(secrets.compare_digest(digest, h) for h in hashes):
            return
    raise ApiError(401, f"Invalid API key for service {sid!r}", headers=_CHALLENGE)


@router.route("GET", "__emulator__/services/{sid}/api-keys")
def count_keys(req: Request, sid: str) -> Any:
    service = req.app.store.read_service(validate_id(sid))
    if service is None:
        raise service_not_found(sid)
    own = len(service.get("apiKeys") or [])
    return {"serviceKeys": own, "packageKeys": len(accepted_keys(service)) - own}


@router.route("POST", "__emulator__/services/{sid}/api-keys")
def add_key(req: Request, sid: str) -> Any:
    body = req.json()
    key = body.get("key") if isinstance(body, dict) else None
    if not isinstance(key, str) or not key:
        raise bad_request('Invalid body: expected {"key": "..."}')
    with changing(req, sid) as service:
        hashes = service.setdefault("apiKeys", [])
        if hash_key(key) not in hashes:
            hashes.append(hash_key(key))
    return {"ok": True}


@router.route("DELETE", "__emulator__/services/{sid}/api-keys")
def clear_keys(req: Request, sid: str) -> Any:
    with changing(req, sid) as service:
        cleared = len(service.get("apiKeys") or [])
        service["apiKeys"] = []
    return {"ok": True, "cleared": cleared}
