"""The numbers inside any JSON value: the walk shared by the Prometheus exposition and the watch.

Decisions shared by both so that they always see the same numbers:

- Every scalar is reached, lists included: a list is read as an object keyed by the item's
  index (``"0"``, ``"1"``...), so ``{"p": [5, 7]}`` holds ``p.0 = 5`` and ``p.1 = 7``.
- Booleans are numbers 1 and 0; strings, nulls and empty objects or lists hold none.
- An integer too large for a float (beyond about 1.8e308) is not a number here: Prometheus
  values and rates are floats.
"""

from __future__ import annotations

import math
from typing import Any, Iterator, Mapping, Optional, Union

Number = Union[int, float]


def leaves(obj: Any) -> Iterator[tuple[tuple[str, ...], Any]]:
    """``(path, scalar)`` for every scalar of a JSON value, in the object's own order."""
    # An explicit stack, not recursion: a node's answer may nest deeper than Python's limit.
    stack: list[tuple[tuple[str, ...], Any]] = [((), obj)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, Mapping):
            children = [(path + (str(key),), item) for key, item in value.items()]
        elif isinstance(value, (list, tuple)):
            children = [(path + (str(index),), item) for index, item in enumerate(value)]
        else:
            yield path, value
            continue
        stack.extend(reversed(children))


def as_number(value: Any) -> Optional[Number]:
    """The value as a number (booleans as 1/0), or None for anything a float cannot hold."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        try:
            float(value)
        except OverflowError:
            return None
        return value
    if isinstance(value, float):
        return value
    return None


def numeric_leaves(obj: Any) -> dict[str, Number]:
    """Finite numbers by dotted path (``services.churn.requests``); the first of equal paths wins.

    Two paths can spell the same dotted name (``{"a.b": 1, "a": {"b": 2}}``): the first one
    in the object's order is kept, like the Prometheus exposition keeps the first sample.
    """
    numbers: dict[str, Number] = {}
    for path, value in leaves(obj):
        number = as_number(value)
        if number is None or not math.isfinite(number):
            continue
        numbers.setdefault(".".join(path), number)
    return numbers
