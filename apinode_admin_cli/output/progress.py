"""A progress bar for batch scoring: rows done, rate, and time left when the input size is known.

Importing this module stays cheap: rich loads only when a bar is shown (on a terminal).
"""

from __future__ import annotations

from typing import IO, Any, Optional


class BatchProgress:
    """Progress of a batch on ``stream``; silent (no rich at all) when ``enabled`` is False.

    ``total_bytes`` is the input's size when it is a file: the bar then follows the bytes read,
    which gives an honest time left without counting the rows first.
    """

    def __init__(self, stream: IO[str], enabled: bool, total_bytes: Optional[int]) -> None:
        self._enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self._stream = stream
        self._total = total_bytes

    def __enter__(self) -> BatchProgress:
        if not self._enabled:
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
        if self._progress is None:
            return
        elapsed = self._progress.tasks[0].elapsed or 0.0
        rate = f"{rows / elapsed:,.0f} rows/s" if elapsed > 0.5 else ""
        self._progress.update(self._task, completed=bytes_read, rows=rows, rate=rate)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
