"""Input rules of the emulator: identifiers, key expiry, mappings, languages and paths."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from typing import Any, Optional

from apinode_admin_cli.emulator.errors import bad_request

MAX_ID_LENGTH = 200
MAPPING_TOLERANCE = 1e-6


def validate_id(value: Any, what: str = "service id") -> str:
    """Return ``value`` if it is an acceptable service or generation id, else raise a 400.

    Spaces and any printable Unicode are allowed; ``/``, ``\\``, control characters, ``.``,
    ``..`` and leading or trailing whitespace are not, because ids become path segments and
    file names.
    """
    if not isinstance(value, str):
        raise bad_request(f"Invalid {what}: expected a string, got {type(value).__name__}")
    if value == "":
        raise bad_request(f"Invalid {what}: it must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise bad_request(f"Invalid {what} {value[:40]!r}...: longer than {MAX_ID_LENGTH}")
    if value in (".", ".."):
        raise bad_request(f"Invalid {what} {value!r}: '.' and '..' are reserved")
    if value != value.strip():
        raise bad_request(f"Invalid {what} {value!r}: leading or trailing whitespace")
    for char in value:
        if char in "/\\":
            raise bad_request(f"Invalid {what} {value!r}: it must not contain '{char}'")
        if unicodedata.category(char).startswith("C"):
            raise bad_request(f"Invalid {what} {value!r}: it must not contain control characters")
    return value


def parse_expiry(value: Any) -> Optional[int]:
    """Turn a key expiry (null, epoch ms, or ISO-8601 date or date-time) into epoch ms."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise bad_request("Invalid expiry: expected epoch milliseconds or an ISO-8601 date")
    if isinstance(value, (int, float)):
        if not abs(value) < 1e18:  # NaN, inf fail; a huge int does not overflow
            raise bad_request(f"Invalid expiry {value!r}: not a plausible epoch in milliseconds")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"-?[0-9]+", text):
            if len(text) > 20:
                raise bad_request(f"Invalid expiry {text[:30]!r}...: too many digits")
            return int(text)
        try:
            # fromisoformat before 3.11 rejects a trailing Z: spell it as an offset.
            moment = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise bad_request(
                f"Invalid expiry {value!r}: expected epoch milliseconds or an ISO-8601 "
                "date (2030-01-31) or date-time (2030-01-31T12:00:00Z)"
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
        try:
            return int(moment.timestamp() * 1000)
        except (OverflowError, OSError, ValueError):
            raise bad_request(f"Invalid expiry {value!r}: out of range")
    raise bad_request(f"Invalid expiry: expected a number or a string, got {type(value).__name__}")


def validate_mapping(mapping: Any, known: set[str]) -> None:
    """Raise a 400 unless ``mapping`` is a valid generations mapping over ``known`` ids."""
    # Written apart from the client's own check on purpose: the emulator models the node, so
    # a rule both sides got wrong the same way would otherwise never show in a test.
    problem = _mapping_problem(mapping, known)
    if problem is not None:
        raise bad_request(f"Invalid mapping: {problem}")


def _mapping_problem(mapping: Any, known: set[str]) -> Optional[str]:
    if not isinstance(mapping, dict):
        return 'expected a JSON object like {"entries": [...]}'
    entries = mapping.get("entries")
    if not isinstance(entries, list) or not entries:
        return 'no entries: expected {"entries": [{"generation": G, "proba": P}, ...]}'
    seen: set[str] = set()
    total = 0.0
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            return f"entry {position} is not an object"
        generation = entry.get("generation")
        if not isinstance(generation, str) or generation == "":
            return f"entry {position} has no generation"
        if generation not in known:
            return f"unknown generation {generation!r} in entry {position}"
        if generation in seen:
            return f"generation {generation!r} is listed twice"
        seen.add(generation)
        proba = entry.get("proba")
        if isinstance(proba, bool) or not isinstance(proba, (int, float)):
            return f"generation {generation!r}: proba must be numeric"
        # Checked before adding: a 400-digit JSON integer would overflow a float.
        if not 0 <= proba <= 1:
            return f"generation {generation!r}: proba must be within [0, 1]"
        total += proba
    if abs(total - 1) > MAPPING_TOLERANCE:
        return f"the probas sum to {total:g}; they must sum to 1"
    return None


def parse_language(value: Optional[str]) -> str:
    """Return the canonical code env language, ``python`` or ``R``."""
    canonical = {"python": "python", "r": "R"}.get((value or "").strip().lower())
    if canonical is None:
        raise bad_request(f"Invalid language {value!r}: expected 'python' or 'R'")
    return canonical


def existing_path(query: dict[str, str], name: str, kind: str) -> str:
    """The absolute path in query parameter ``name``; it must exist as a ``file`` or ``dir``."""
    raw = query.get(name)
    if raw is None or raw == "":
        raise bad_request(f"Missing query parameter '{name}'")
    if "\x00" in raw:
        raise bad_request(f"Invalid {name}: the path contains a NUL character")
    path = os.path.abspath(raw)
    if not os.path.exists(path):
        raise bad_request(f"Invalid {name}: {path} does not exist on the API node's disk")
    if kind == "dir" and not os.path.isdir(path):
        raise bad_request(f"Invalid {name}: {path} is not a directory")
    if kind == "file" and not os.path.isfile(path):
        raise bad_request(f"Invalid {name}: {path} is not a file")
    return path
