"""Admin API: admin keys, stored hashed."""

from __future__ import annotations

import secrets
from typing import Any, Optional

from apinode_admin_cli.emulator.errors import bad_request, not_found
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.store import hash_key, new_secret, now_ms
from apinode_admin_cli.emulator.validation import parse_expiry

router = Router()
PUBLIC_FIELDS = ("id", "label", "description", "createdBy", "createdOn", "expiry")


def public_view(record: dict[str, Any]) -> dict[str, Any]:
    """A key as listed: never the secret nor its hash."""
    return {name: record.get(name) for name in PUBLIC_FIELDS}


def _optional_text(body: dict[str, Any], name: str) -> Optional[str]:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"Invalid {name}: expected a string or null")
    return value


@router.route("GET", "keys")
def list_keys(req: Request) -> Any:
    return [public_view(k) for k in req.app.store.read()["keys"]]


@router.route("POST", "keys")
def create_key(req: Request) -> Any:
    body = req.json(required=False)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise bad_request("Invalid body: expected a JSON object with label, description, ...")
    record = {
        "id": secrets.token_hex(8),
        "label": _optional_text(body, "label"),
        "description": _optional_text(body, "description"),
        "createdBy": _optional_text(body, "createdBy"),
        "createdOn": now_ms(),
        "expiry": parse_expiry(body.get("expiry")),
    }
    secret = new_secret()
    with req.app.store.transaction() as state:
        state["keys"].append(dict(record, hash=hash_key(secret)))
    return dict(record, key=secret)


@router.route("DELETE", "keys/{secret}")
def delete_key(req: Request, secret: str) -> Any:
    digest = hash_key(secret)
    _delete_where(req, lambda k: secrets.compare_digest(k["hash"], digest))
    return {"ok": True}


@router.route("DELETE", "keys/{key_id}/key")
def delete_key_by_id(req: Request, key_id: str) -> Any:
    _delete_where(req, lambda k: k["id"] == key_id)
    return {"ok": True}


def _delete_where(req: Request, predicate: Any) -> None:
    with req.app.store.transaction() as state:
        kept = [k for k in state["keys"] if not predicate(k)]
        if len(kept) == len(state["keys"]):
            raise not_found("Failed to delete API key: Key to delete not found")
        state["keys"] = kept
