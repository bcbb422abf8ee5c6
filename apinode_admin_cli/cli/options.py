"""Options shared by many commands, declared once."""

from __future__ import annotations

import functools
import sys
from typing import Any, Callable, TypeVar

import click

from apinode_admin_cli.cli.context import App
from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.output.render import FORMATS

F = TypeVar("F", bound=Callable[..., Any])


def output_options(func: F) -> F:
    """Add ``-o/--output``, ``--json`` and ``--no-headers`` and hand them to the app."""

    @click.option(
        "-o",
        "--output",
        "output_format",
        type=click.Choice(FORMATS),
        default=None,
        help="Output format (default: table on a terminal, plain otherwise).",
    )
    @click.option("--json", "as_json", is_flag=True, help="Same as -o json.")
    @click.option("--no-headers", is_flag=True, help="Omit the header row.")
    @functools.wraps(func)
    def wrapper(*args: Any, output_format: Any, as_json: bool, no_headers: bool, **kw: Any) -> Any:
        app = click.get_current_context().find_object(App)
        assert app is not None
        app.set_output(output_format, as_json, no_headers)
        return func(*args, **kw)

    return wrapper  # type: ignore[return-value]


yes_option = click.option(
    "-y", "--yes", is_flag=True, help="Do not ask for confirmation (required off a terminal)."
)

pass_app = click.make_pass_decorator(App, ensure=True)


def read_text_input(path: str) -> str:
    """Text of a file, or of stdin for ``-``; exit 2 when it cannot be read."""
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"cannot read {path}: {reason}") from None
