"""What a node operation hands back to be shown: data first, rendering later.

A command parses its arguments, runs one operation on a node (or on each node of a fleet),
and the operation returns one of these; the app renders it in the chosen format. (Plain
classes: they sit on the path of every command, where dataclasses cost start-up time.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

if TYPE_CHECKING:
    from apinode_admin_cli.output import Column


class Rows:
    """A read: records shown under columns; JSON output shows ``raw``, the node's answer.

    Columns of kind ``secret`` are masked in every format, JSON included (``"******"``).
    """

    __slots__ = ("columns", "raw", "records")

    def __init__(
        self, records: Sequence[Mapping[str, Any]], columns: Sequence[Column], raw: Any
    ) -> None:
        self.records = records
        self.columns = columns
        self.raw = raw


class Summary:
    """Any JSON object shown as KEY/VALUE rows, nested keys flattened to dotted names."""

    __slots__ = ("data",)

    def __init__(self, data: Any) -> None:
        self.data = data


class Action:
    """A change: JSON output shows the node's answer; otherwise ``value`` (if any) on stdout.

    ``columns``, when given, show the answers of a fleet's nodes as rows (``keys create``:
    NODE, ID, KEY) instead of NODE, OUTCOME, DETAIL.
    """

    __slots__ = ("answer", "columns", "value")

    def __init__(
        self, answer: Any, value: Optional[str] = None, columns: Sequence[Column] = ()
    ) -> None:
        self.answer = answer
        self.value = value
        self.columns = columns


class Line:
    """Text printed as is (the original tool's one-line JSON); JSON output shows ``raw``."""

    __slots__ = ("raw", "text")

    def __init__(self, text: str, raw: Any) -> None:
        self.text = text
        self.raw = raw


class Sections:
    """Several results shown one after the other (a blank line apart); JSON shows ``raw``."""

    __slots__ = ("parts", "raw")

    def __init__(self, parts: Sequence[Result], raw: Any) -> None:
        self.parts = parts
        self.raw = raw


Result = Union[Rows, Summary, Action, Line, Sections, None]


def result_json(result: Result) -> Any:
    """What ``-o json`` shows of a result: the node's answer, as received, secrets hidden."""
    if isinstance(result, Rows):
        from apinode_admin_cli.output.jsonout import hide_secrets

        return hide_secrets(result.raw, result.columns)
    if isinstance(result, Summary):
        return {} if result.data is None else result.data
    if isinstance(result, Action):
        return result.answer if result.answer is not None else {"ok": True}
    if isinstance(result, (Line, Sections)):
        return result.raw
    return None


__all__ = ["Action", "Line", "Result", "Rows", "Sections", "Summary", "result_json"]
