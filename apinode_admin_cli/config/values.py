"""Turn a setting's value, as text or as TOML gave it, into its typed value; say what is wrong."""

from __future__ import annotations

import math
from typing import Any, Optional

from apinode_admin_cli.config.schema import BY_NAME

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
# Bounds that keep numbers inside what sockets and timers accept (1e10 s overflows them).
MAX_SECONDS = 86400.0
MAX_COUNT = 100


def convert(name: str, value: Any) -> Any:
    """The typed value of one setting from text or an already typed value; ValueError if bad."""
    decl = BY_NAME[name]
    kind = decl.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise ValueError(f"{value!r} is not a boolean (use 1/true/yes/on or 0/false/no/off)")
    if kind == "seconds":
        number = _number(value, float)
        top = decl.maximum or MAX_SECONDS
        if not (math.isfinite(number) and 0 < number <= top):
            raise ValueError(
                f"{_short(value)} is not a number of seconds above 0 and at most {top:g}"
            )
        return float(number)
    if kind == "count":
        count = int(_number(value, int))
        top = int(decl.maximum or MAX_COUNT)
        if not 1 <= count <= top:
            raise ValueError(f"{_short(value)} is not an integer from 1 to {top}")
        return count
    if not isinstance(value, str):
        raise ValueError(f"{_short(value)} is not a string")
    if not value.strip():
        raise ValueError("the value is empty")
    if "\x00" in value:  # TOML can spell it; no file name, key or URL holds one
        raise ValueError("the value holds a NUL character")
    if kind == "uri":
        from apinode_admin_cli.client.urls import check_node_uri

        return check_node_uri(value)
    if kind == "dss_uri":
        from apinode_admin_cli.client.urls import check_dss_uri

        return check_dss_uri(value)
    if kind == "choice":
        folded = value.strip().lower()
        if folded not in decl.choices:
            raise ValueError(f"{value!r} is not one of {', '.join(decl.choices)}")
        return folded
    return value


def _short(value: Any) -> str:
    """A value as an error message may show it: never thousands of characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any, kind: type) -> float:
    what = "an integer" if kind is int else "a number"
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not {what}")
    if isinstance(value, (int, float)):
        if kind is int and not isinstance(value, int):
            raise ValueError(f"{value!r} is not an integer")
        return value
    text = str(value).strip()
    try:
        # Python's int() and float() take "1_000" and non-ASCII digits; settings do not.
        if not text.isascii() or "_" in text:
            raise ValueError(text)
        return kind(text)  # type: ignore[no-any-return]
    except (ValueError, OverflowError):
        raise ValueError(f"{_short(value)} is not {what}") from None


def type_mismatch(name: str, value: Any) -> Optional[str]:
    """Why a config file value has the wrong TOML type for ``name``, or None when it fits."""
    kind = BY_NAME[name].kind
    if kind == "bool":
        fits = isinstance(value, bool)
    elif kind == "seconds":
        fits = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "count":
        fits = isinstance(value, int) and not isinstance(value, bool)
    else:
        fits = isinstance(value, str)
    if fits:
        return None
    return f"must be {BY_NAME[name].toml_type}, not {_toml_type(value)}"


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


__all__ = ["MAX_COUNT", "MAX_SECONDS", "convert", "type_mismatch"]
