"""The live table of ``metrics watch``: a rich renderable built from a Watch.

Importing this module stays cheap: rich loads only when a table is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from apinode_admin_cli.output.leaves import Number
from apinode_admin_cli.output.tables import displayable

if TYPE_CHECKING:
    from rich.table import Table

    from apinode_admin_cli.watch import Cell, Watch


def watch_table(watch: Watch, *, only_changed: bool = True, title: Optional[str] = None) -> Table:
    """METRIC, then VALUE, CHANGE and RATE/S for each node; a node down says why.

    Three nodes must fit 80 columns: no side borders, one space between columns, short
    headings for a fleet's column groups (VALUE, CHG, /S), and rates rounded for reading.
    """
    from rich.table import Table

    table = Table(
        title=title,
        caption=_caption(watch),
        caption_justify="left",
        box=None,
        padding=(0, 0, 0, 2),
        pad_edge=False,
    )
    table.add_column("METRIC", overflow="fold")
    down = watch.errors()
    fleet = len(watch.nodes) > 1
    for node in watch.nodes:
        head = "" if node is None else f"{node}\n"
        style = "dim" if node in down else None
        table.add_column(f"{head}VALUE", justify="right", style=style, no_wrap=True)
        table.add_column("CHG" if fleet else "CHANGE", justify="right", style=style, no_wrap=True)
        table.add_column("/S" if fleet else "RATE/S", justify="right", style=style, no_wrap=True)
    for row in watch.rows(only_changed):
        # Metric names and errors come from the node: ESC or CSI would drive the terminal.
        cells = [displayable(row.metric)]
        for node in watch.nodes:
            cells.extend(cell_texts(row.cells[node]))
        table.add_row(*cells)
    return table


def cell_texts(cell: Cell) -> tuple[str, str, str]:
    """The value, change and rate of one cell as shown: ``12``, ``+3``, ``1.5``; blank if none."""
    value = "" if cell.value is None else format_number(cell.value)
    if cell.new:
        change = "new"
    elif cell.change is None:
        change = ""
    else:
        change = format_number(cell.change, signed=True)
    rate = "" if cell.rate is None else format_rate(cell.rate)
    return value, change, rate


def format_rate(rate: float) -> str:
    """A rate per second as read at a glance: ``+0.33``, ``+12.5``, ``+1234``; ``0`` when still.

    Six significant digits (``+0.333333``) widen every column of a fleet's table for digits
    nobody reads; the exact rate is in the JSON lines (``-o json``).
    """
    size = abs(rate)
    if size >= 100:
        text = f"{rate:.0f}"
    elif size >= 10:
        text = f"{rate:.1f}"
    else:
        text = f"{rate:.2f}"
    if float(text) == 0:
        return "0" if rate == 0 else ("<0.01" if rate > 0 else ">-0.01")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"+{text}" if rate > 0 else text


def format_number(value: Number, signed: bool = False) -> str:
    """Integers in full, floats to 6 significant digits; ``+`` on positive changes."""
    if isinstance(value, int):
        text = str(value)
    else:
        text = f"{value:.6g}"
        if text == "-0":
            text = "0"
    return f"+{text}" if signed and value > 0 and not text.startswith("+") else text


def _caption(watch: Watch) -> Optional[str]:
    down = watch.errors()
    if not down:
        return None
    return "\n".join(
        displayable(f"{node or 'node'} not answering: {error}") for node, error in down.items()
    )
