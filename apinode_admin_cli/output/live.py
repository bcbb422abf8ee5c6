"""Views redrawn in place on a terminal: a countdown line and a live screen (rich).

Importing this module stays cheap: rich loads only when a view starts. Everything shown here
is plain text: a node's metric names and messages are never read as markup.
"""

from __future__ import annotations

from typing import IO, Any, Optional


def _console(stream: IO[str], color: bool) -> Any:
    from rich.console import Console

    return Console(
        file=stream,
        force_terminal=True,
        no_color=not color,
        highlight=False,
        markup=False,
        emoji=False,
    )


class Countdown:
    """One line rewritten in place, erased when the wait ends."""

    def __init__(self, stream: IO[str], color: bool) -> None:
        from rich.live import Live

        self._live = Live(
            console=_console(stream, color),
            transient=True,
            auto_refresh=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )

    def start(self) -> None:
        self._live.start()

    def show(self, text: str) -> None:
        from rich.text import Text

        self._live.update(Text(text), refresh=True)

    def stop(self) -> None:
        self._live.stop()


class LiveScreen:
    """A heading line over a renderable (a table), redrawn when told, kept when it ends."""

    def __init__(self, stream: IO[str], color: bool, first: str) -> None:
        self._stream = stream
        self._color = color
        self._first = first
        self._live: Optional[Any] = None

    def start(self) -> None:
        from rich.live import Live
        from rich.text import Text

        self._live = Live(
            Text(self._first),
            console=_console(self._stream, self._color),
            auto_refresh=False,  # redrawn after each update, not by a thread of rich's
            transient=False,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._live.start(refresh=True)

    def show(self, head: str, body: Any) -> None:
        from rich.console import Group
        from rich.text import Text

        assert self._live is not None, "start() first"
        self._live.update(Group(Text(head), body), refresh=True)

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()


def print_once(stream: IO[str], head: str, body: Any) -> None:
    """A heading line over a renderable, printed once (off a terminal: no colour, no redraw)."""
    from rich.console import Console, Group
    from rich.text import Text

    console = Console(file=stream, highlight=False, markup=False, emoji=False, no_color=True)
    console.print(Group(Text(head), body))
    stream.flush()


__all__ = ["Countdown", "LiveScreen", "print_once"]
