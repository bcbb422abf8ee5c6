"""A minimal TOML writer: keys, strings, numbers, booleans, arrays and inline tables.

The standard library reads TOML (``tomllib``) but cannot write it; what this package writes
(config files, state files) needs only these few forms, so no dependency is taken for it.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Sequence

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """A basic (double-quoted) TOML string; ValueError for lone surrogates."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"{text!r} is not valid Unicode text")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    """A key, bare when TOML allows it, else quoted."""
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_table_header(path: Sequence[str]) -> str:
    """``[a."b c"]`` for the key path ``("a", "b c")``."""
    return "[" + ".".join(toml_key(k) for k in path) + "]"


def toml_value(value: Any) -> str:
    """A value on one line: scalars, arrays and inline tables, nested as needed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        # repr spells inf, 1e-07 and 0.5 the way TOML reads them back, exactly.
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise ValueError(f"cannot write a {type(value).__name__} as TOML")
