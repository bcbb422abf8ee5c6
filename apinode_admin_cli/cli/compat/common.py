"""What every original-tool command shares: its options and its way of printing."""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Sequence, TypeVar

import click

from apinode_admin_cli.cli.app import App

F = TypeVar("F", bound=Callable[..., Any])

# Scripts written for Dataiku's tool parse these lines, so they go to stdout like the original's.
OK = "OK"

no_header_option = click.option(
    "--no-header", "no_header", is_flag=True, help="Don't print the column headers."
)


def formatting_options(func: F) -> F:
    """Add the original's ``--output fancy|json`` and ``--no-header``."""

    @click.option(
        "--output",
        "output",
        type=click.Choice(("fancy", "json"), case_sensitive=False),
        default="fancy",
        show_default=True,
        help="Human-readable text, or one line of JSON.",
    )
    @no_header_option
    @functools.wraps(func)
    def wrapper(*args: Any, output: str, no_header: bool, **kw: Any) -> Any:
        app = click.get_current_context().find_object(App)
        if app is not None and output == "json":
            # Failures then also print the JSON error object on stderr, as the tree does.
            app.set_output("json", False, no_header)
        return func(*args, output=output, no_header=no_header, **kw)

    return wrapper  # type: ignore[return-value]


def dumps(data: Any) -> str:
    """One line of JSON with Python's default separators, as the original prints it."""
    from apinode_admin_cli.jsonutil import dump_answer

    return dump_answer(data, ensure_ascii=True)


def _terminal() -> Any:
    return click.get_current_context().ensure_object(App).term


def say(*lines: str) -> None:
    """Print the original's lines on stdout."""
    for line in lines:
        _terminal().echo(line)


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str], no_header: bool) -> None:
    """The original's table on stdout."""
    from apinode_admin_cli.output.original import render_original_table

    render_original_table(rows, headers, no_header, _terminal().out)


def dash_if_empty(value: Optional[Any]) -> Any:
    """Missing or null cells print as ``-`` so that columns stay parseable."""
    return "-" if value is None or value == "" else value
