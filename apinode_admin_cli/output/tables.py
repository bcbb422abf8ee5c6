"""Print records as a rich table, an aligned plain table, TSV, or the server's JSON.

Shared decisions: an empty record list prints the header line alone (nothing with
``no_headers``), or ``[]`` in JSON. In TSV a backslash, tab, newline or carriage return inside a
value is written ``\\\\``, ``\\t``, ``\\n``, ``\\r`` so that every record stays on one line.
Other control characters (ESC included) are written ``\\xHH`` in every format but JSON, and
tabs and line breaks (``\\t``, ``\\n``, ``\\r``) in table/plain too, so a value from the node
can neither break the layout, forge a row of its own, nor send escape sequences to the
terminal. The ``title`` shows in the rich table only: plain and TSV carry data
alone.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, TextIO

from apinode_admin_cli.output.column import Column
from apinode_admin_cli.output.jsonout import render_json
from apinode_admin_cli.output.values import column_values, format_column

# Rows written to the stream at a time: large listings never hold their whole text at once.
_BATCH = 4096


def column_cells(
    records: Sequence[Mapping[str, Any]], columns: Sequence[Column]
) -> list[list[str]]:
    """The text of every cell, column by column, the same for every renderer."""
    return [format_column(column_values(records, col.key), col.kind) for col in columns]


def cells(records: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> list[list[str]]:
    """The text of every cell, row by row."""
    if not columns:
        return [[] for _ in records]
    return [list(row) for row in zip(*column_cells(records, columns))]


# A value from the node could carry ESC sequences that repaint the user's terminal.
_CONTROLS: dict[int, str] = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROLS.update({ord("\t"): "\\t", ord("\r"): "\\r", ord("\n"): "\\n"})
# A line break inside a cell would read as a row of its own (a node's value forging one):
# every format keeps one record per line.
_DISPLAY_ESCAPES = dict(_CONTROLS)
_TSV_ESCAPES = {**_CONTROLS, ord("\\"): "\\\\"}


def displayable(text: str) -> str:
    """Text for a table cell: control characters and line breaks escaped."""
    return text.translate(_DISPLAY_ESCAPES)


def _escaped(column: list[str], table: dict[int, str], also: str = "") -> list[str]:
    """The column with ``table`` applied, each cell only when the column needs it at all."""
    # Every character the tables escape is unprintable (or ``also``): a printable column,
    # the usual case, is checked in one pass and left as it is.
    joined = "".join(column)
    if joined.isprintable() and not (also and also in joined):
        return column
    return [cell.translate(table) for cell in column]


def render(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    stream: TextIO,
    no_headers: bool = False,
    color: bool = True,
    title: str | None = None,
) -> None:
    """Print the records in ``table``, ``plain`` or ``tsv``."""
    if not columns:
        raise ValueError("render() needs at least one column")
    if fmt in ("table", "plain"):
        cols = [_escaped(c, _DISPLAY_ESCAPES) for c in column_cells(records, columns)]
    if fmt == "table":
        rows = [list(row) for row in zip(*cols)]
        _table(rows, columns, stream, no_headers=no_headers, color=color, title=title)
    elif fmt == "plain":
        _plain(cols, columns, stream, no_headers=no_headers)
    elif fmt == "tsv":
        cols = [_escaped(c, _TSV_ESCAPES, "\\") for c in column_cells(records, columns)]
        _tsv(cols, columns, stream, no_headers=no_headers)
    elif fmt == "json":
        # JSON must be the node's answer, not these records: the caller owns that choice.
        raise ValueError("render() does not print JSON; call render_json() with the raw data")
    else:
        raise ValueError(f"no renderer for output format {fmt!r}")


def _table(
    rows: list[list[str]],
    columns: Sequence[Column],
    stream: TextIO,
    *,
    no_headers: bool,
    color: bool,
    title: str | None,
) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    if no_headers and not rows:
        return
    console = Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    table = Table(
        title=title,
        show_header=not no_headers,
        header_style="bold" if color else "",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for col in columns:
        # Dates, flags and masked keys read badly when folded; free text folds instead.
        table.add_column(Text(col.title), overflow="fold", no_wrap=col.kind not in _FOLDABLE)
    for row in rows:
        # Text() keeps values literal: a "[red]" coming from the node is not markup.
        table.add_row(
            *(
                Text(cell, style=_style(cell, col) if color else "")
                for cell, col in zip(row, columns)
            )
        )
    console.print(table)


_FOLDABLE = ("text", "json")


def _style(cell: str, column: Column) -> str:
    if column.kind == "bool":
        return "green" if cell == "true" else "red" if cell == "false" else ""
    return ""


def _plain(
    cols: list[list[str]], columns: Sequence[Column], stream: TextIO, *, no_headers: bool
) -> None:
    if no_headers and not cols[0]:
        return
    headers = [] if no_headers else [col.title for col in columns]
    if _simple(cols, headers):
        _aligned(cols, headers, stream)
        return
    from tabulate import tabulate

    rows = [list(row) for row in zip(*cols)]
    # disable_numparse: "1.50" and "007" are shown as the node sent them, left aligned.
    stream.write(tabulate(rows, headers=headers, tablefmt="plain", disable_numparse=True) + "\n")


def _simple(cols: list[list[str]], headers: list[str]) -> bool:
    """ASCII text on one line per cell: its width is its length, no need for tabulate."""
    if not all(h.isascii() for h in headers):
        return False
    for column in cols:
        joined = "".join(column)
        if not joined.isascii() or "\n" in joined:
            return False
    return True


def _aligned(cols: list[list[str]], headers: list[str], stream: TextIO) -> None:
    """tabulate's ``plain`` layout, written directly: large listings stay fast.

    The same text as tabulate gives: cells stripped and left aligned, columns two spaces
    apart, a header two characters wider than its title, trailing spaces dropped.
    """
    cols = [list(map(str.strip, column)) for column in cols]
    widths = [max(map(len, column), default=0) for column in cols]
    if headers:
        widths = [max(w, len(h) + 2) for w, h in zip(widths, headers)]
    # One format per line, not a padding call per cell; the last column is not padded.
    line = "  ".join([*(f"%-{w}s" for w in widths[:-1]), "%s"])
    if headers:
        stream.write((line % tuple(headers)).rstrip() + "\n")
    rows = list(zip(*cols))
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        stream.write("".join((line % row).rstrip() + "\n" for row in batch))


def _tsv(
    cols: list[list[str]], columns: Sequence[Column], stream: TextIO, *, no_headers: bool
) -> None:
    if not no_headers:
        stream.write("\t".join(col.title.translate(_TSV_ESCAPES) for col in columns) + "\n")
    rows = list(zip(*cols))
    for start in range(0, len(rows), _BATCH):
        stream.write("".join("\t".join(row) + "\n" for row in rows[start : start + _BATCH]))


__all__ = ["Column", "cells", "column_cells", "displayable", "render", "render_json"]
