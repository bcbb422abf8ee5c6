"""Admin API: admin keys, hashed or in clear as the emulated DSS version keeps them."""

from __future__ import annotations

import secrets
from typing import Any, Callable, Optional

from apinode_admin_cli.emulator.datadir import HASHED_KEYS_SINCE
from apinode_admin_cli.emulator.errors import bad_request, not_found
from apinode_admin_cli.emulator.keystore import hash_key, key_id, matches
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.store import new_secret, now_ms
from apinode_admin_cli.emulator.validation import parse_expiry

router = Router()
MASK = "******"  # what nodes that hash keys list in place of the secret
PUBLIC_FIELDS = ("label", "description", "createdBy", "createdOn", "expiry")


def hashes_keys(req: Request) -> bool:
    """Whether the emulated version hashes keys (13.1 and later) rather than keeping them."""
    return bool(req.app.dss_version >= HASHED_KEYS_SINCE)


def public_view(record: dict[str, Any], hashed: bool) -> dict[str, Any]:
    """A key as listed: masked with its id from 13.1, its secret and no id before."""
    fields = {name: record.get(name) for name in PUBLIC_FIELDS}
    if hashed:
        return {"id": key_id(record), "key": MASK, **fields}
    clear = record.get("key")
    # A key hashed by a later version cannot be shown in clear any more.
    return {"key": clear if isinstance(clear, str) else MASK, **fields}


def _optional_text(body: dict[str, Any], name: str) -> Optional[str]:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise bad_request(f"Invalid {name}: expected a string or null")
    return value


@router.route("GET", "keys")
def list_keys(req: Request) -> Any:
    hashed = hashes_keys(req)
    return [public_view(k, hashed) for k in req.app.store.keys.records()]


@router.route("POST", "keys")
def create_key(req: Request) -> Any:
    body = req.json(required=False)
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise bad_request("Invalid body: expected a JSON object with label, description, ...")
    record = {
        "label": _optional_text(body, "label"),
        "description": _optional_text(body, "description"),
        "createdBy": _optional_text(body, "createdBy"),
        "createdOn": now_ms(),
        "expiry": parse_expiry(body.get("expiry")),
    }
    secret = new_secret()
    if hashes_keys(req):
        record = {"id": secrets.token_hex(8), **record}
        stored = dict(record, hash=hash_key(secret))
        answer = dict(record, key=secret)
    else:
        stored = answer = {"key": secret, **record}
    req.app.store.keys.update(lambda keys: keys.append(stored))
    return answer


@router.route("DELETE", "keys/{secret}")
def delete_key(req: Request, secret: str) -> Any:
    digest = hash_key(secret)
    _delete_where(req, lambda k: matches(k, secret, digest))
    return {"ok": True}


@router.route("DELETE", "keys/{kid}/key")
def delete_key_by_id(req: Request, kid: str) -> Any:
    if not hashes_keys(req):
        # Before 13.1 keys have no id and this route does not exist.
        raise not_found(f"No such endpoint: DELETE /admin/api/keys/{kid}/key")
    _delete_where(req, lambda k: key_id(k) == kid)  # an id is no secret
    return {"ok": True}


def _delete_where(req: Request, predicate: Callable[[dict[str, Any]], bool]) -> None:
    def delete(keys: list[dict[str, Any]]) -> None:
        kept = [k for k in keys if not predicate(k)]
        if len(kept) == len(keys):
            raise not_found("Failed to delete API key: Key to delete not found")
        keys[:] = kept

    req.app.store.keys.update(delete)
