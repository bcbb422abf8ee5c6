"""What a node operation hands back to be shown: data first, rendering later.

A command parses its arguments, runs one operation on a node (or on each node of a fleet),
and the operation returns one of these; the app renders it in the chosen format.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

if TYPE_CHECKING:
    from apinode_admin_cli.output import Column


@dataclass(frozen=True)
class Rows:
    """A read: records shown under columns; JSON output shows ``raw``, the node's answer."""

    records: Sequence[Mapping[str, Any]]
    columns: Sequence[Column]
    raw: Any


@dataclass(frozen=True)
class Summary:
    """Any JSON object shown as KEY/VALUE rows, nested keys flattened to dotted names."""

    data: Any


@dataclass(frozen=True)
class Action:
    """A change: JSON output shows the node's answer; otherwise ``value`` (if any) on stdout."""

    answer: Any
    value: Optional[str] = None


@dataclass(frozen=True)
class Line:
    """Text printed as is (the original tool's one-line JSON); JSON output shows ``raw``."""

    text: str
    raw: Any


Result = Union[Rows, Summary, Action, Line, None]

__all__ = ["Action", "Line", "Result", "Rows", "Summary"]
