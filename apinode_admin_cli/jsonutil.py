"""Strict JSON reading, shared by the client (answers) and the CLI (input files).

Python's ``json`` accepts ``NaN``, ``Infinity`` and ``-Infinity`` and turns ``1e999`` into an
infinite float; none of that is JSON, and a node or a script that sends it is broken. Deeply
nested documents make ``json`` raise ``RecursionError``, which is not a ``ValueError``; here every
way of not being JSON is a ``ValueError``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Union


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is too large for JSON")
    return value


class TooDeepError(ValueError):
    """The document may well be JSON, but it is nested too deeply to read."""


def loads(text: Union[str, bytes, bytearray]) -> Any:
    """``json.loads`` refusing NaN, infinities and over-deep nesting, all as ``ValueError``."""
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except RecursionError:
        raise TooDeepError("the JSON is nested too deeply to read") from None
