"""The table layout of Dataiku's original tool, which scripts written for it parse."""

from __future__ import annotations

from typing import Any, Sequence, TextIO


def render_original_table(
    rows: Sequence[Sequence[Any]], headers: Sequence[str], no_header: bool, stream: TextIO
) -> None:
    """tabulate's default layout with headers, its ``plain`` layout without."""
    from tabulate import tabulate

    if no_header:
        text = tabulate(rows, tablefmt="plain")
    else:
        text = tabulate(rows, list(headers))
    stream.write(text + "\n")
