"""Print records as a rich table, an aligned plain table, TSV, or the server's JSON.

Shared decisions: an empty record list prints the header line alone (nothing with
``no_headers``), or ``[]`` in JSON. In TSV a backslash, tab, newline or carriage return inside a
value is written ``\\\\``, ``\\t``, ``\\n``, ``\\r`` so that every record stays on one line.
Other control characters (ESC included) are written ``\\xHH`` in every format but JSON, and tabs
in table/plain too, so a value from the node can neither break the layout nor send escape
sequences to the terminal. The ``title`` shows in the rich table only: plain and TSV carry data
alone.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence, TextIO

from apinode_admin_cli.output.column import Column
from apinode_admin_cli.output.jsonout import render_json
from apinode_admin_cli.output.values import format_value, get_path


def cells(records: Sequence[Mapping[str, Any]], columns: Sequence[Column]) -> list[list[str]]:
    """The text of every cell, the same for every renderer."""
    return [[format_value(get_path(rec, col.key), col.kind) for col in columns] for rec in records]


# A value from the node could carry ESC sequences that repaint the user's terminal.
_CONTROLS: dict[int, str] = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROLS.update({ord("\t"): "\\t", ord("\r"): "\\r", ord("\n"): "\\n"})
# Tables may show a multi-line value on several lines; TSV must keep one record per line.
_DISPLAY_ESCAPES = {c: text for c, text in _CONTROLS.items() if c != ord("\n")}
_TSV_ESCAPES = {**_CONTROLS, ord("\\"): "\\\\"}


def displayable(text: str) -> str:
    """Text for a table cell: control characters escaped, line breaks kept."""
    return text.translate(_DISPLAY_ESCAPES)


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
    rows = cells(records, columns)
    if fmt in ("table", "plain"):
        rows = [[displayable(cell) for cell in row] for row in rows]
    if fmt == "table":
        _table(rows, columns, stream, no_headers=no_headers, color=color, title=title)
    elif fmt == "plain":
        _plain(rows, columns, stream, no_headers=no_headers)
    elif fmt == "tsv":
        _tsv(rows, columns, stream, no_headers=no_headers)
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
    rows: list[list[str]], columns: Sequence[Column], stream: TextIO, *, no_headers: bool
) -> None:
    if no_headers and not rows:
        return
    headers = [] if no_headers else [col.title for col in columns]
    if _simple(rows, headers):
        stream.write(_aligned(rows, headers))
        return
    from tabulate import tabulate

    # disable_numparse: "1.50" and "007" are shown as the node sent them, left aligned.
    stream.write(tabulate(rows, headers=headers, tablefmt="plain", disable_numparse=True) + "\n")


def _simple(rows: list[list[str]], headers: list[str]) -> bool:
    """ASCII text on one line per cell: its width is its length, no need for tabulate."""
    return all(h.isascii() for h in headers) and all(
        cell.isascii() and "\n" not in cell for row in rows for cell in row
    )


def _aligned(rows: list[list[str]], headers: list[str]) -> str:
    """tabulate's ``plain`` layout, written directly: large listings stay fast.

    The same text as tabulate gives: cells stripped and left aligned, columns two spaces
    apart, a header two characters wider than its title, trailing spaces dropped.
    """
    rows = [[cell.strip() for cell in row] for row in rows]
    width = [len(h) + 2 for h in headers] if headers else [0] * (len(rows[0]) if rows else 0)
    for row in rows:
        width = [max(w, len(cell)) for w, cell in zip(width, row)]
    lines = [headers, *rows] if headers else rows
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, width)).rstrip() + "\n" for line in lines
    )


def _tsv(
    rows: list[list[str]], columns: Sequence[Column], stream: TextIO, *, no_headers: bool
) -> None:
    lines = rows if no_headers else [[col.title for col in columns], *rows]
    for line in lines:
        stream.write("\t".join(cell.translate(_TSV_ESCAPES) for cell in line) + "\n")


__all__ = ["Column", "cells", "displayable", "render", "render_json"]
