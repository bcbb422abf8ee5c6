"""Stop signals during a rollout: the first one stops it, the ones after it only get noted.

A rollout stopped by Ctrl-C or SIGTERM must put the traffic back before the process ends. A
second signal a few milliseconds after the first used to land while the first was being
handled (before the rollback had started, or while the report was printed) and end the
process with the fleet split and nothing said. Here the handler itself marks the stop as
under way before it raises, so a later signal has nothing left to interrupt: it is recorded,
and the run ends as the first signal asked (130 for Ctrl-C, 143 for SIGTERM).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Optional

from apinode_admin_cli.errors import Terminated

_NAMES = ("SIGINT", "SIGTERM")


class StopGuard:
    """The signals received while a guard is installed, and whether they may still raise."""

    def __init__(self) -> None:
        self.received: list[int] = []
        # Once true, signals are only recorded: a stop (or a rollback) is under way.
        self.holding = False

    def handle(self, signum: int, frame: Any) -> None:
        self.received.append(signum)
        if self.holding:
            return
        self.holding = True
        if signum == signal.SIGTERM:
            raise Terminated()
        raise KeyboardInterrupt()


_active: Optional[StopGuard] = None


def _ours(number: signal.Signals, handler: Any) -> bool:
    """Whether a handler is one a guard may replace: Python's own, not the embedder's."""
    if number == signal.SIGINT:
        return handler is signal.default_int_handler
    return handler in (signal.SIG_DFL, None)


@contextmanager
def stop_signals(linger: bool = False) -> Iterator[Optional[StopGuard]]:
    """Handle SIGINT and SIGTERM with one :class:`StopGuard` while the block runs.

    SIGINT raises KeyboardInterrupt and SIGTERM :class:`Terminated`, once; later signals
    are recorded. Nested uses share the outer guard. Main thread only (None elsewhere), and
    a signal whose handler the embedding program set is left to it. With ``linger``, for a
    program that ends on the stop: when a stop signal ended the block, the guard stays in
    place, only recording, so that a late signal cannot cut the report short.
    """
    global _active
    if _active is not None:
        yield _active
        return
    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    guard = StopGuard()
    previous: dict[signal.Signals, Any] = {}
    try:
        for name in _NAMES:
            number = getattr(signal, name)
            if _ours(number, signal.getsignal(number)):
                previous[number] = signal.signal(number, guard.handle)
    except ValueError:  # not the main interpreter
        _restore(previous)
        yield None
        return
    _active = guard
    stopped = False
    try:
        yield guard
    except KeyboardInterrupt:
        stopped = bool(guard.received)
        raise
    finally:
        _active = None
        if not (linger and stopped):
            _restore(previous)


@contextmanager
def deferred_interrupts() -> Iterator[list[Any]]:
    """Hold Ctrl-C and SIGTERM back while the block runs: they are only listed.

    Inside :func:`stop_signals` the guard simply stops raising (for good: what follows a
    rollback is its report). Elsewhere, recording handlers replace the usual ones for the
    block's duration (main thread only).
    """
    if _active is not None:
        _active.holding = True
        yield _active.received
        return
    received: list[Any] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous: dict[signal.Signals, Any] = {}
    try:
        for name in _NAMES:
            number = getattr(signal, name)
            previous[number] = signal.signal(number, lambda signum, frame: received.append(signum))
    except ValueError:  # not the main interpreter
        _restore(previous)
        yield received
        return
    try:
        yield received
    finally:
        _restore(previous)


def hold() -> None:
    """From now on, the active guard (if any) only records stop signals."""
    if _active is not None:
        _active.holding = True


def _restore(previous: dict[signal.Signals, Any]) -> None:
    for number, handler in previous.items():
        if handler is None:  # set outside Python: the closest is the default
            handler = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
        signal.signal(number, handler)


__all__ = ["StopGuard", "deferred_interrupts", "hold", "stop_signals"]
