"""The terminal: stdout and stderr, TTY and colour decisions, messages, prompts and rendering.

Everything the tool shows goes through one :class:`Terminal`. Tests hand the app their own
(with streams and TTY answers of their choosing) to see the terminal paths without a
pseudo-terminal, as httpie's ``Environment`` allows.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Optional, Sequence, TextIO

import click

from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.config.schema import OUTPUT_FORMATS
from apinode_admin_cli.errors import UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.output import Column


class Terminal:
    """The process's view of the user: streams, TTY answers, colour, quietness, headers."""

    def __init__(
        self,
        stdout: Optional[TextIO] = None,
        stderr: Optional[TextIO] = None,
        stdin: Optional[TextIO] = None,
        *,
        stdout_tty: Optional[bool] = None,
        stderr_tty: Optional[bool] = None,
        stdin_tty: Optional[bool] = None,
    ) -> None:
        """Streams default to the process's; a TTY answer of None asks the stream itself."""
        self.stdout = stdout
        self.stderr = stderr
        self.stdin = stdin
        self.stdout_tty = stdout_tty
        self.stderr_tty = stderr_tty
        self.stdin_tty = stdin_tty
        self.quiet = False
        self.color = True
        self.no_headers = False

    # -- streams ------------------------------------------------------------------------------
    # Resolved at each use: a test runner swaps sys.stdout after the app is built.

    @property
    def out(self) -> TextIO:
        return self.stdout or sys.stdout

    @property
    def err(self) -> TextIO:
        return self.stderr or sys.stderr

    @property
    def inp(self) -> TextIO:
        return self.stdin or sys.stdin

    def out_is_tty(self) -> bool:
        return _isatty(self.out) if self.stdout_tty is None else self.stdout_tty

    def err_is_tty(self) -> bool:
        return _isatty(self.err) if self.stderr_tty is None else self.stderr_tty

    def in_is_tty(self) -> bool:
        return _isatty(self.inp) if self.stdin_tty is None else self.stdin_tty

    def can_prompt(self) -> bool:
        """A person is there to answer: stdin and stderr are both terminals."""
        return self.in_is_tty() and self.err_is_tty()

    # -- messages (stderr) --------------------------------------------------------------------

    def echo(self, text: str, nl: bool = True) -> None:
        """A line of data on stdout."""
        click.echo(text, file=self.out, nl=nl)

    def say(self, message: str) -> None:
        """A message on stderr, even under ``-q`` (errors, security warnings)."""
        click.echo(message, file=self.err)

    def info(self, message: str) -> None:
        """Progress, hints and notes on stderr; silenced by ``-q``.

        Messages quote node values (ids, versions) and file names: they go through
        :func:`printable`, as warnings do.
        """
        if not self.quiet:
            click.echo(printable(message), file=self.err)

    def warn(self, message: str, always: bool = False) -> None:
        """``Warning: ...`` on stderr; ``always`` for what -q must not hide."""
        if always or not self.quiet:
            click.echo(self.style(f"Warning: {printable(message)}", fg="yellow"), file=self.err)

    def style(self, text: str, **styles: Any) -> str:
        """Colour for stderr, only on a terminal and unless colour is off."""
        if self.color and self.err_is_tty():
            return click.style(text, **styles)
        return text

    # -- prompts ------------------------------------------------------------------------------

    def confirm(self, question: str) -> bool:
        return bool(click.confirm(question, default=False, err=True))

    def prompt(self, text: str, hide_input: bool = False) -> str:
        return str(click.prompt(text, hide_input=hide_input, err=True))

    # -- data (stdout) ------------------------------------------------------------------------

    def choose_format(self, requested: Optional[str]) -> str:
        """The format asked for, else ``table`` on a terminal and ``plain`` elsewhere."""
        if requested is None:
            return "table" if self.out_is_tty() else "plain"
        if requested not in OUTPUT_FORMATS:
            raise UsageError(
                f"unknown output format {requested!r}; use one of {', '.join(OUTPUT_FORMATS)}"
            )
        return requested

    def emit(self, fmt: str, records: Sequence[Any], columns: Sequence[Column], raw: Any) -> None:
        """Records in ``fmt``; JSON shows ``raw``, the node's answer, with secrets hidden."""
        if fmt == "json":
            from apinode_admin_cli.output.jsonout import hide_secrets

            self.emit_json(hide_secrets(raw, columns))
            return
        from apinode_admin_cli.output.tables import render

        render(
            records,
            columns,
            fmt,
            stream=self.out,
            no_headers=self.no_headers,
            # An explicit `-o table` piped to a file or a pager gets no colour either.
            color=self.color and fmt == "table" and self.out_is_tty(),
        )

    def emit_json(self, data: Any) -> None:
        from apinode_admin_cli.output.jsonout import render_json

        render_json(data, self.out)


def terminal_width(default: int = 80) -> int:
    """Columns of the terminal on stdout (``COLUMNS`` wins, as with shutil), else ``default``."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or default  # type: ignore[union-attr]
    except (AttributeError, OSError, ValueError):
        return default


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


__all__ = ["Terminal", "terminal_width"]
