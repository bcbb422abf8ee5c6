"""Progress of batch scoring: rows done, rate, and time left when the input size is known.

On a terminal, a rich bar (rich loads only then). Asked for off a terminal (a CI log), one
plain line every few seconds instead of a bar's control sequences.
"""

from __future__ import annotations

import time
from typing import IO, Any, Optional

LINE_EVERY = 5.0  # seconds between two lines off a terminal


class BatchProgress:
    """Progress of a batch on ``stream``; silent (no rich at all) when ``enabled`` is False.

    ``total_bytes`` is the input's size when it is a file: the bar then follows the bytes read,
    which gives an honest time left without counting the rows first.
    """

    def __init__(
        self, stream: IO[str], enabled: bool, total_bytes: Optional[int], bar: bool = True
    ) -> None:
        self._enabled = enabled
        self._bar = bar
        self._started = time.monotonic()
        self._last_line = self._started
        self._rows = 0
        self._progress: Any = None
        self._task: Any = None
        self._stream = stream
        self._total = total_bytes

    def __enter__(self) -> BatchProgress:
        if not self._enabled or not self._bar:
            return self
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns: list[Any] = [TextColumn("[bold]Scoring[/bold]")]
        if self._total:
            columns += [BarColumn(), TextColumn("{task.percentage:>3.0f}%")]
        columns += [
            TextColumn("{task.fields[rows]:,} rows"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
        ]
        if self._total:
            columns.append(TimeRemainingColumn())
        self._progress = Progress(*columns, console=Console(file=self._stream), transient=True)
        self._progress.start()
        self._task = self._progress.add_task("score", total=self._total, rows=0, rate="")
        return self

    def update(self, rows: int, bytes_read: int) -> None:
        """Record that ``rows`` rows are done and ``bytes_read`` bytes of input consumed."""
        self._rows = rows
        if self._enabled and not self._bar:
            now = time.monotonic()
            if now - self._last_line >= LINE_EVERY:
                self._last_line = now
                self._line(now, bytes_read)
            return
        if self._progress is None:
            return
        elapsed = self._progress.tasks[0].elapsed or 0.0
        rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0.5 else ""
        self._progress.update(self._task, completed=bytes_read, rows=rows, rate=rate)

    def _line(self, now: float, bytes_read: Optional[int]) -> None:
        elapsed = max(now - self._started, 1e-9)
        text = f"Scored {self._rows:,} rows ({self._rows / elapsed:,.0f} rows/s)"
        if self._total and bytes_read:
            text += f", {100 * bytes_read / self._total:.0f}% of the input"
        self._stream.write(text + "\n")
        self._stream.flush()

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
