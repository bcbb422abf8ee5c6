"""Generation mappings: read from JSON or ``GEN=PROBA`` entries, checked before sending."""

from __future__ import annotations

import math
from typing import Any, Collection, Iterable, Optional

from apinode_admin_cli import jsonutil as strict_json
from apinode_admin_cli.errors import UsageError

TOLERANCE = 1e-6


def parse_mapping_text(text: str, source: str = "the mapping") -> dict[str, Any]:
    """Parse mapping JSON; unknown fields are kept exactly as given."""
    if not text.strip():
        raise UsageError(f"{source} is empty", hint='expected {"entries": [...]}')
    try:
        mapping = strict_json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{source} is not valid JSON: {exc}") from None
    if not isinstance(mapping, dict):
        raise UsageError(f'{source} must be a JSON object like {{"entries": [...]}}')
    validate_mapping(mapping)
    return mapping


def parse_share(text: str) -> float:
    """``"0.1"`` or ``"10%"`` -> ``0.1``; ValueError when it is not a finite number.

    As for settings, ASCII digits only: ``float`` would also take "٠.٥" and "0_5".
    """
    number = text.strip()
    percent = number.endswith("%")
    if percent:
        number = number[:-1]
    if not number.isascii() or "_" in number:
        raise ValueError(number)
    proba = float(number)
    if not math.isfinite(proba):
        raise ValueError(number)
    return proba / 100 if percent else proba


def parse_entry(text: str) -> dict[str, Any]:
    """``v2=0.1`` -> ``{"generation": "v2", "proba": 0.1}``."""
    generation, sep, proba_text = text.rpartition("=")
    if not sep or not generation:
        raise UsageError(f"invalid entry {text!r}: expected GENERATION=PROBA, e.g. v2=0.1")
    try:
        proba = parse_share(proba_text)
    except ValueError:
        shown = proba_text if len(proba_text) <= 40 else proba_text[:20] + "..."
        raise UsageError(f"invalid entry for {generation!r}: {shown!r} is not a number") from None
    return {"generation": generation, "proba": proba}


def mapping_from_entries(entries: Iterable[str]) -> dict[str, Any]:
    """Build and check a mapping from ``GENERATION=PROBA`` entries."""
    mapping = {"entries": [parse_entry(e) for e in entries]}
    validate_mapping(mapping)
    return mapping


def validate_mapping(mapping: Any, known: Optional[Collection[str]] = None) -> None:
    """Raise UsageError unless the entries are non-empty, distinct, in [0, 1] and sum to 1.

    With ``known`` (the generations a service holds), every generation must be one of them.
    """
    if not isinstance(mapping, dict):
        raise UsageError('the mapping must be a JSON object like {"entries": [...]}')
    entries = mapping.get("entries")
    if not isinstance(entries, list) or not entries:
        raise UsageError('the mapping has no entries: expected {"entries": [{...}, ...]}')
    seen: set[str] = set()
    total = 0.0
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise UsageError(f"mapping entry {index} is not an object")
        generation = entry.get("generation")
        if not isinstance(generation, str) or not generation:
            raise UsageError(f"mapping entry {index} has no generation")
        if known is not None and generation not in known:
            raise UsageError(f"unknown generation {generation!r}")
        if generation in seen:
            raise UsageError(f"generation {generation!r} appears twice in the mapping")
        seen.add(generation)
        proba = entry.get("proba")
        if isinstance(proba, bool) or not isinstance(proba, (int, float)):
            raise UsageError(f"generation {generation!r} has no numeric proba")
        # Compared before any float conversion: a huge JSON integer would overflow it.
        if not 0 <= proba <= 1:
            shown = proba if isinstance(proba, float) or abs(proba) < 10**20 else "(huge)"
            raise UsageError(f"proba {shown} of generation {generation!r} is outside [0, 1]")
        total += proba
    if abs(total - 1) > TOLERANCE:
        raise UsageError(f"the probabilities sum to {total:g}, not 1")
