"""One column of a table: where its value lives in a record, its header, how to show it."""

from __future__ import annotations

from typing import NamedTuple


class Column(NamedTuple):
    """One column: where its value lives in a record, its header, and how to show it."""

    key: str
    title: str
    kind: str = "text"


__all__ = ["Column"]
