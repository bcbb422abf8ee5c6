"""Rules shared by the deployer's routes: ids, lookups, booleans, generations mappings."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Optional

from apinode_admin_cli.emulator.errors import ApiError, bad_request, conflict, not_found

MAX_ID_LENGTH = 200
MAPPING_TOLERANCE = 1e-6
KINDS = {"services": "Published service", "infras": "Infrastructure", "deployments": "Deployment"}
OK = {"ok": True}


def check_id(value: Any, what: str) -> str:
    """``value`` if it can name an object (it becomes a path segment and a file name), else 400."""
    if not isinstance(value, str) or not value:
        raise bad_request(f"Invalid {what}: expected a non-empty string")
    if len(value) > MAX_ID_LENGTH:
        raise bad_request(f"Invalid {what} {value[:40]!r}...: longer than {MAX_ID_LENGTH}")
    if value in (".", "..") or value != value.strip():
        raise bad_request(f"Invalid {what} {value!r}")
    if any(c in "/\\" or unicodedata.category(c).startswith("C") for c in value):
        raise bad_request(f"Invalid {what} {value!r}: no '/', '\\' or control characters")
    return value


def lookup(state: dict[str, Any], kind: str, identifier: str) -> dict[str, Any]:
    """The record of a service, infra or deployment, else a 404 saying it does not exist."""
    record: Optional[dict[str, Any]] = state[kind].get(identifier)
    if record is None:
        raise missing(kind, identifier)
    return record


def missing(kind: str, identifier: str) -> ApiError:
    """The 404 for an unknown object."""
    return not_found(f"{KINDS[kind]} {identifier} does not exist")


def exists_already(kind: str, identifier: str) -> ApiError:
    """The 409 for an id already taken."""
    return conflict(f"{KINDS[kind]} {identifier} already exists")


def flag(query: dict[str, str], name: str, default: bool = False) -> bool:
    """A boolean query parameter: Python clients send ``True``/``False``, others ``true``."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    text = raw.strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise bad_request(f"Invalid {name}={raw!r}: expected true or false")


def json_object(body: Any, what: str) -> dict[str, Any]:
    """``body`` if it is a JSON object, else a 400."""
    if not isinstance(body, dict):
        raise bad_request(f"Invalid {what}: expected a JSON object")
    return body


def node_mapping(mapping: Any, versions: set[str]) -> dict[str, Any]:
    """The API-node mapping ``{"entries": [...]}`` for a deployment's ``generationsMapping``.

    A 400 naming the problem unless it is a single version, or several whose probas sum to 1,
    all of them versions of the service.
    """
    if not isinstance(mapping, dict):
        raise bad_request("Invalid generationsMapping: expected a JSON object")
    mode = mapping.get("mode", "SINGLE_GENERATION")
    if mode == "SINGLE_GENERATION":
        version = mapping.get("generation")
        _known_version(version, versions)
        return {"entries": [{"generation": version, "proba": 1.0}]}
    if mode != "MULTI_GENERATION":
        raise bad_request(
            f"Invalid generationsMapping mode {mode!r}: SINGLE_GENERATION or MULTI_GENERATION"
        )
    entries = mapping.get("entries")
    if not isinstance(entries, list) or not entries:
        raise bad_request("Invalid generationsMapping: MULTI_GENERATION needs entries")
    out: list[dict[str, Any]] = []
    total = 0.0
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise bad_request(f"Invalid generationsMapping: entry {position} is not an object")
        _known_version(entry.get("generation"), versions)
        proba = entry.get("proba")
        if isinstance(proba, bool) or not isinstance(proba, (int, float)) or not 0 <= proba <= 1:
            raise bad_request(
                f"Invalid generationsMapping: entry {position} needs a proba between 0 and 1"
            )
        if any(e["generation"] == entry["generation"] for e in out):
            raise bad_request(f"Invalid generationsMapping: {entry['generation']} listed twice")
        out.append({"generation": entry["generation"], "proba": float(proba)})
        total += proba
    if not math.isclose(total, 1.0, abs_tol=MAPPING_TOLERANCE):
        raise bad_request(f"Invalid generationsMapping: the probas sum to {total:g}, not 1")
    return {"entries": out}


def _known_version(version: Any, versions: set[str]) -> None:
    if not isinstance(version, str) or not version:
        raise bad_request("Invalid generationsMapping: a version id is missing")
    if version not in versions:
        raise bad_request(f"Version {version} does not exist in the published service")


def mapped_versions(mapping: Any) -> set[str]:
    """The version ids a ``generationsMapping`` refers to (any shape, never failing)."""
    if not isinstance(mapping, dict):
        return set()
    found = {mapping.get("generation")}
    for entry in mapping.get("entries") or []:
        if isinstance(entry, dict):
            found.add(entry.get("generation"))
    return {v for v in found if isinstance(v, str)}


_URL = re.compile(r"https?://[^/\s?#]+/?", re.IGNORECASE)


def check_node_url(url: Any, position: int) -> str:
    """A node base URL ``http[s]://host[:port]`` (no path, as DSS asks), trailing slash dropped."""
    if not isinstance(url, str) or not _URL.fullmatch(url.strip()):
        raise bad_request(
            f"Invalid apiNodes[{position}].url {url!r}: expected http[s]://host[:port] with no path"
        )
    return url.strip().rstrip("/")
