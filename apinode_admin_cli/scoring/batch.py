"""A whole batch: read the input, score it in chunks, write one output row per input row."""

from __future__ import annotations

import io
import os
from typing import IO, Any, Callable, Optional, Sequence

from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.output.progress import BatchProgress
from apinode_admin_cli.scoring import output
from apinode_admin_cli.scoring.reader import open_rows
from apinode_admin_cli.scoring.scorer import Scorer, Send

# The record field each kind of call sends its row under.
FIELDS = {"predict": "features", "effect": "features", "lookup": "data"}
OUTPUTS = ("csv", "jsonl", "rows")


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw: IO[bytes]) -> None:
        super().__init__()
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


class BatchResult:
    """How the batch went: rows ok and failed, and the rows themselves for a table."""

    def __init__(self) -> None:
        self.ok = 0
        self.failed = 0
        self.first_error: Optional[str] = None
        self.rows: list[dict[str, Any]] = []
        self.columns: list[str] = []


def open_source(source: str, stdin: IO[bytes]) -> tuple[IO[bytes], str, Optional[int]]:
    """The binary stream, a name for messages, and the size when it is a regular file."""
    if source == "-":
        return stdin, "stdin", None
    try:
        handle = open(source, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror or exc}") from None
    try:
        size: Optional[int] = os.fstat(handle.fileno()).st_size or None
    except OSError:
        size = None
    return handle, source, size


def run_batch(
    source: str,
    *,
    kind: str,
    make_client: Callable[[], Any],
    send: Send,
    out: IO[str],
    out_format: str,
    stdin: IO[bytes],
    progress_stream: IO[str],
    show_progress: bool,
    progress_bar: bool = True,
    fmt: Optional[str] = None,
    text_columns: Sequence[str] = (),
    context: Optional[dict[str, Any]] = None,
    chunk_size: int = 500,
    parallel: int = 4,
) -> BatchResult:
    """Score ``source`` (a path or ``-``) and write its rows to ``out`` (or keep them: rows)."""
    scorer = Scorer(make_client, send, chunk_size, parallel)
    raw, name, size = open_source(source, stdin)
    counter = CountingReader(raw)
    # utf-8-sig: spreadsheets save CSV with a byte order mark that would stick to a column.
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding="utf-8-sig", newline="")
    result = BatchResult()
    try:
        rows = open_rows(text, name, fmt, text_columns, FIELDS[kind])
        if context is not None:
            rows = (_with_context(row, context) for row in rows)
        with BatchProgress(progress_stream, show_progress, size, progress_bar) as bar:
            flat = (_tally(result, s, kind, bar, counter) for s in scorer.score(rows))
            columns, every = output.with_header(flat, chunk_size)
            result.columns = columns
            if out_format == "csv":
                output.write_csv(out, columns, every)
            elif out_format == "jsonl":
                output.write_jsonl(out, every)
            else:
                result.rows = list(every)
    finally:
        if source != "-":
            raw.close()
    return result


def _with_context(row: Any, context: dict[str, Any]) -> Any:
    row.record.setdefault("context", context)
    return row


def _tally(
    result: BatchResult, scored: Any, kind: str, bar: BatchProgress, counter: CountingReader
) -> dict[str, Any]:
    if scored.failed:
        result.failed += 1
        if result.first_error is None:
            result.first_error = scored.error
    else:
        result.ok += 1
    done = result.ok + result.failed
    if done % 1000 == 0:
        bar.update(done, counter.count)
    return output.flatten(scored, kind)
