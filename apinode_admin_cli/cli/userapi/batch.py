"""``--batch``: score a whole file through predict-multi, predict-effect-multi or lookup-multi.

The rows stream from the file (or stdin) to the output: CSV (``-o csv``, the default off a
terminal), JSON lines (``-o jsonl``), a JSON array (``-o json``), or a table (``table``,
``plain``, ``tsv``: these hold the whole batch in memory, so they suit small files).
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

import click

from apinode_admin_cli.cli.common.targets import one_node
from apinode_admin_cli.errors import ApinodeAdminError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.client import APINodeClient

F = TypeVar("F", bound=Callable[..., Any])
STREAMED = ("csv", "jsonl")


def batch_options(func: F) -> F:
    """The options of a batch: its file, format, typing, chunks and progress."""

    @click.option(
        "--batch",
        metavar="FILE|-",
        help="Score every row of a CSV, JSON lines or JSON array file (- for stdin).",
    )
    @click.option(
        "--batch-format",
        type=click.Choice(["csv", "jsonl", "json"]),
        help="The batch's format (default: from the extension, else from its first character).",
    )
    @click.option(
        "--text-columns",
        metavar="COL,...",
        help="CSV columns sent as text even when they look like numbers (* for all).",
    )
    @click.option(
        "--chunk-size",
        type=click.IntRange(1, 100_000),
        default=500,
        show_default=True,
        help="Rows per request.",
    )
    @click.option(
        "--parallel",
        type=click.IntRange(1, 64),
        default=4,
        show_default=True,
        help="Requests in flight at once.",
    )
    @click.option(
        "--progress/--no-progress",
        default=None,
        help="Progress on stderr: a bar on a terminal (the default there), else a line every 5 s.",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kw: Any) -> Any:
        return func(*args, **kw)

    return wrapper  # type: ignore[return-value]


def output_format(app: App, special: Optional[str]) -> str:
    """csv, jsonl, or a shared format: given, else a table on a terminal and CSV otherwise."""
    if special:
        return special
    if app.settings.output is not None:
        return app.output_format
    return "table" if app.term.out_is_tty() else "csv"


def run(
    app: App,
    service_id: str,
    source: str,
    kind: str,
    send: Callable[[APINodeClient, list[dict[str, Any]]], Any],
    special: Optional[str],
    options: dict[str, Any],
    context: Optional[dict[str, Any]] = None,
) -> None:
    """Score the batch on the one node, write its rows, and fail (exit 1) if any row failed."""
    from apinode_admin_cli.scoring.batch import run_batch

    node = one_node(app)  # one node: a batch is not fanned out to a fleet
    fmt = output_format(app, special)
    columns = options.get("text_columns") or ""
    on_terminal = app.term.err_is_tty()
    show = options.get("progress")
    if show is None:
        show = on_terminal and not app.settings.quiet
    result = run_batch(
        source,
        kind=kind,
        make_client=lambda: node.user_client(service_id, node.settings.service_key),
        send=send,
        out=app.term.out,
        out_format=fmt if fmt in STREAMED else "rows",
        stdin=sys.stdin.buffer,
        progress_stream=app.term.err,
        show_progress=bool(show),
        progress_bar=on_terminal,
        fmt=options.get("batch_format"),
        text_columns=[c.strip() for c in columns.split(",") if c.strip()],
        context=context,
        chunk_size=options["chunk_size"],
        parallel=options["parallel"],
    )
    if fmt == "json":
        app.term.emit_json(result.rows)
    elif fmt not in STREAMED:
        from apinode_admin_cli.output.columns import named_columns

        cols = named_columns([(name, name.upper()) for name in result.columns])
        app.term.emit(fmt, result.rows, cols, result.rows)
    total = result.ok + result.failed
    if result.failed:
        raise ApinodeAdminError(
            f"{result.failed} of {total} rows failed or were ignored "
            f"(first: {result.first_error}); each is in the output with its reason"
        )
    app.term.info(f"Scored {total} rows.")


def refuse_single(special: Optional[str]) -> None:
    """CSV and JSON lines are for batches: one record has the table and JSON."""
    if special:
        raise UsageError(f"-o {special} is for --batch; one record prints as a table or -o json")
