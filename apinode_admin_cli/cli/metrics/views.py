"""The ways ``metrics watch`` prints polls off the live table: JSON lines, lines, tables.

Decisions (docs/monitoring.md):

- ``-o json``/``--json``: one JSON object per poll and node per line, flushed, as the watch
  always printed in a pipe; on a terminal too when asked for.
- ``-o tsv``/``-o plain``: one line per metric that changed (every metric on a node's first
  answer) with TIME, NODE, METRIC, VALUE, CHANGE, RATE/S; the heading once, before the first
  poll (``--no-headers`` drops it). Columns are tab-separated in both: a stream cannot be
  aligned before its last line. A node that does not answer is one line on stderr per poll.
- ``-o table`` off a terminal: the table of each poll, printed one after the other.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from apinode_admin_cli.cli.app import App

if TYPE_CHECKING:
    from apinode_admin_cli.watch import Reading, Watch

LINE_HEADINGS = ("TIME", "NODE", "METRIC", "VALUE", "CHANGE", "RATE/S")


class JsonLines:
    """One JSON object per poll and node per line, flushed at once."""

    def __init__(self, app: App) -> None:
        self.app = app

    def __enter__(self) -> JsonLines:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def show(self, readings: list[Reading]) -> None:
        from apinode_admin_cli.jsonutil import dumps

        for reading in readings:
            # Like -o json: C1 controls and lone surrogates escaped by the strict writer;
            # click.echo flushes, so `| jq` sees each poll at once.
            self.app.term.echo(dumps(reading.json_line()))


class Lines(JsonLines):
    """A tab-separated line per changed metric, for grep, awk and cut."""

    def __enter__(self) -> Lines:
        if not self.app.term.no_headers:
            self.app.term.echo("\t".join(LINE_HEADINGS))
        return self

    def show(self, readings: list[Reading]) -> None:
        from apinode_admin_cli.output.tables import displayable
        from apinode_admin_cli.output.watch_table import format_number
        from apinode_admin_cli.watch import iso_time

        out: list[str] = []
        for reading in readings:
            node = reading.node or "-"
            if reading.error is not None:
                self.app.term.warn(displayable(f"{node}: not answering: {reading.error}"))
                continue
            first = reading.previous_time is None
            for name in list(reading.metrics) if first else reading.changed():
                change = reading.changes.get(name)
                rate = reading.rates.get(name)
                fields = [
                    iso_time(reading.time),
                    node,
                    name,
                    format_number(reading.metrics[name]),
                    "new" if name in reading.new else _text(change, signed=True),
                    "" if rate is None else repr(round(rate, 6)),
                ]
                # Names come from the node: a tab or newline would forge a column or a row.
                out.append("\t".join(displayable(field) for field in fields))
        if out:
            self.app.term.echo("\n".join(out))


class Tables(JsonLines):
    """Off a terminal with ``-o table``: each poll's table, one after the other."""

    def __init__(self, app: App, watch: Watch, target: str) -> None:
        super().__init__(app)
        self.watch = watch
        self.target = target

    def show(self, readings: list[Reading]) -> None:
        from apinode_admin_cli.output.live import print_once
        from apinode_admin_cli.output.watch_table import watch_table

        head = f"{self.target} · {time.strftime('%H:%M:%S')}"
        print_once(self.app.term.out, head, watch_table(self.watch))


def _text(value: object, signed: bool = False) -> str:
    from apinode_admin_cli.output.watch_table import format_number

    if value is None:
        return ""
    return format_number(value, signed=signed)  # type: ignore[arg-type]
