"""How a rollout reports its progress: a listener with a no-op method per event."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

from apinode_admin_cli.errors import Terminated

if TYPE_CHECKING:
    from apinode_admin_cli.rollout.probes import ProbeOutcome
    from apinode_admin_cli.rollout.report import StepRecord
    from apinode_admin_cli.rollout.steps import Shares


class Listener:
    """Override what you want to show; ``label`` is the node's name ("" for a single node)."""

    def checked(self, label: str, stable: Shares) -> None:
        """The node was read: it has the service, and this is its stable mapping."""

    def imported(self, label: str, generation: str) -> None:
        """The archive was imported on the node as ``generation``."""

    def preloaded(self, label: str, generation: str) -> None:
        """The generation is loaded on the node."""

    def step_started(self, percent: int) -> None:
        """A step begins."""

    def step_applied(self, percent: int, label: str, shares: Shares) -> None:
        """The node took the step's mapping."""

    def probes_done(self, percent: int, label: str, outcome: ProbeOutcome) -> None:
        """The probes of the step ran on the node."""

    def step_done(self, record: StepRecord) -> None:
        """The step ended: ok, or failed (a rollback follows)."""

    def pause_started(self, next_percent: int, seconds: float) -> None:
        """The wait before the next step begins."""

    def tick(self, next_percent: int, remaining: float) -> None:
        """About once a second during the wait."""

    def pause_ended(self) -> None:
        """The wait ended (or was interrupted)."""

    def rolling_back(self, reason: str) -> None:
        """A rollback begins, and why."""

    def restored(self, label: str, stable: Shares) -> None:
        """The node serves its stable mapping again."""

    def restore_failed(self, label: str, left: str, error: str) -> None:
        """Restoring the node failed; ``left`` is what it may still serve."""


# Both stop a rollout the same way: the traffic goes back to the stable mapping first.
_STOP_SIGNALS = ("SIGINT", "SIGTERM")


@contextmanager
def deferred_interrupts() -> Iterator[list[Any]]:
    """Hold Ctrl-C and SIGTERM back while the stable mapping is restored (main thread only).

    A second Ctrl-C (or a CI runner's SIGTERM) must not leave a fleet half rolled back; the
    signals received are only listed, and the rollout ends as its rollback's cause says (exit
    9 after a failed step, 130 or 143 after the first stop).
    """
    received: list[Any] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous: dict[signal.Signals, Any] = {}
    try:
        for name in _STOP_SIGNALS:
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


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While a rollout runs, SIGTERM raises :class:`Terminated`, which rolls back as Ctrl-C does.

    Without it, a cancelled CI job would kill the process between two steps and leave the
    traffic split with nothing said (or, for ``emulator demo``, its data dir behind). Main
    thread only; a no-op elsewhere.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, stop)}
    except ValueError:  # not the main interpreter
        yield
        return
    try:
        yield
    finally:
        _restore(previous)


def _restore(previous: dict[signal.Signals, Any]) -> None:
    for number, handler in previous.items():
        if handler is None:  # set outside Python: the closest is the default
            handler = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
        signal.signal(number, handler)


__all__ = ["Listener", "deferred_interrupts", "terminate_as_interrupt"]
