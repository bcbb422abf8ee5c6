"""JSON output: the node's answer as received, secrets hidden (the path scripts take: light)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Sequence, TextIO

from apinode_admin_cli.jsonutil import write_answer
from apinode_admin_cli.redact import HIDDEN

if TYPE_CHECKING:
    from apinode_admin_cli.output.column import Column


def hide_secrets(data: Any, columns: Sequence[Column]) -> Any:
    """The node's records with every ``secret`` column's value shown as ``******``.

    JSON output shows the node's answer rather than the table's cells; the columns still
    decide what is secret, so a key a node returns never reaches stdout in any format.
    Null and empty values stay as sent: they hide nothing.
    """
    secret = {col.key for col in columns if col.kind == "secret"}
    if not secret:
        return data

    def hide(record: Any) -> Any:
        if not isinstance(record, Mapping):
            return record
        return {k: HIDDEN if k in secret and v not in (None, "") else v for k, v in record.items()}

    return [hide(r) for r in data] if isinstance(data, list) else hide(data)


def render_json(data: Any, stream: TextIO) -> None:
    """The data exactly as received, pretty printed, with a trailing newline.

    Strict: NaN or Infinity in the data is an invalid answer (exit 1), never printed.
    Written as it is encoded: a large answer is not held twice (data and text).
    """
    write_answer(data, stream, indent=2)


__all__ = ["hide_secrets", "render_json"]
