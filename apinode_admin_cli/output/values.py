"""Turn record values into the text every renderer shows, and flatten nested objects.

Decisions shared by table, plain and tsv so that they always show the same text:

- ``None`` is the empty string; booleans are ``true``/``false``.
- ``epoch_ms`` numbers become local ISO-8601 with seconds and the UTC offset
  (``2026-11-26T17:03:12+01:00``); strings (ISO expiry dates) pass through unchanged.
- ``share`` (0..1) becomes a percentage with at most one decimal: ``50%``, ``33.3%``.
- ``secret`` is masked by :func:`apinode_admin_cli.redact.mask`.
- Nested lists and objects become compact JSON.
- :func:`flatten` keeps the server's key order (insertion order), not a sorted one.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any, Mapping, Sequence

from apinode_admin_cli.redact import mask

KINDS = ("text", "bool", "epoch_ms", "share", "secret", "json")


def compact_json(value: Any) -> str:
    """One-line JSON, non-ASCII kept readable."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def format_value(value: Any, kind: str = "text") -> str:
    """The text shown for one value of a column of the given kind."""
    if value is None:
        return ""
    if kind == "secret":
        return mask(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if kind == "epoch_ms" and isinstance(value, (int, float)):
        return _local_iso(value)
    if kind == "share" and isinstance(value, (int, float)):
        return _percent(value)
    if isinstance(value, (dict, list, tuple)):
        return compact_json(value)
    if kind == "json" and not isinstance(value, str):
        return compact_json(value)
    return str(value)


_BOOL_TEXT = {True: "true", False: "false"}


def format_column(values: Sequence[Any], kind: str = "text") -> list[str]:
    """:func:`format_value` of every value of one column, in one pass.

    The common cells (a string, a boolean) are told apart by their exact type, without the
    chain of checks ``format_value`` runs on each; dates and shares repeat in large listings,
    so each distinct one is formatted once.
    """
    if kind == "secret":
        return [format_value(v, kind) for v in values]
    if kind in ("epoch_ms", "share"):
        seen: dict[Any, str] = {}
        out = []
        for value in values:
            kind_of = type(value)
            # Exact numbers only: True == 1 and would share the number's text.
            if kind_of is int or kind_of is float:
                text = seen.get(value)
                if text is None:
                    text = seen[value] = format_value(value, kind)
                out.append(text)
            else:
                out.append(value if kind_of is str else format_value(value, kind))
        return out
    return [
        v
        if type(v) is str
        else ""
        if v is None
        else _BOOL_TEXT[v]
        if type(v) is bool
        else format_value(v, kind)
        for v in values
    ]


def column_values(records: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    """The value of ``key`` (see :func:`get_path`) in every record."""
    if "." not in key:
        return [record.get(key) for record in records]
    return [get_path(record, key) for record in records]


def _local_iso(epoch_ms: float) -> str:
    try:
        moment = datetime.fromtimestamp(epoch_ms / 1000).astimezone()
    except (OverflowError, OSError, ValueError):
        return str(epoch_ms)  # out of the platform's range: show what the node sent
    return moment.isoformat(timespec="seconds")


def _percent(share: float) -> str:
    if not math.isfinite(share):
        return str(share)
    pct = share * 100
    if 0 < abs(pct) < 0.05:
        return "<0.1%" if pct > 0 else ">-0.1%"
    text = f"{pct:.1f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + "%"


def get_path(record: Mapping[str, Any], key: str) -> Any:
    """The value at a dotted path (``a.b.0``); a key holding the dot itself wins."""
    if key in record:
        return record[key]
    current: Any = record
    for part in key.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``(dotted.key, scalar)`` pairs in the object's own order; lists of scalars stay whole."""
    if isinstance(obj, Mapping):
        if not obj:
            return [(prefix, {})] if prefix else []
        pairs: list[tuple[str, Any]] = []
        for key, value in obj.items():
            pairs.extend(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return pairs
    if isinstance(obj, (list, tuple)):
        if any(isinstance(item, (Mapping, list, tuple)) for item in obj):
            pairs = []
            for index, item in enumerate(obj):
                pairs.extend(flatten(item, f"{prefix}.{index}" if prefix else str(index)))
            return pairs
        return [(prefix, compact_json(list(obj)))]
    return [(prefix, obj)]


# Undocumented objects carry epoch-ms timestamps under names like these (createdOn, since).
_TIME_NAME = re.compile(r"(On|At|Time|^since|^expiry|^timestamp)$")
_PLAUSIBLE_MS = (1e11, 1e14)  # 1973 to 5138: an epoch in ms, not a count


def looks_like_epoch_ms(key: str, value: Any) -> bool:
    """True for a number named like a timestamp and sized like epoch milliseconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    name = key.rsplit(".", 1)[-1]
    return bool(_TIME_NAME.search(name)) and _PLAUSIBLE_MS[0] <= value < _PLAUSIBLE_MS[1]


def flat_records(
    obj: Any, key_field: str = "key", value_field: str = "value"
) -> list[dict[str, Any]]:
    """Records for the KEY/VALUE (or METRIC/VALUE) columns from any JSON object.

    Timestamps are shown as local ISO-8601 like every other epoch-ms value; JSON output
    keeps the node's numbers.
    """
    return [
        {key_field: k, value_field: _local_iso(v) if looks_like_epoch_ms(k, v) else v}
        for k, v in flatten(obj)
    ]
