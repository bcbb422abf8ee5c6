"""How a rollout reports its progress: a listener with a no-op method per event."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

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


@contextmanager
def deferred_interrupts() -> Iterator[list[Any]]:
    """Hold Ctrl-C back while the stable mapping is restored (main thread only).

    A second Ctrl-C must not leave a fleet half rolled back; the interrupts received are
    listed, and the rollout exits as interrupted anyway.
    """
    received: list[Any] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    except ValueError:  # not the main interpreter
        yield received
        return
    try:
        yield received
    finally:
        signal.signal(
            signal.SIGINT, previous if previous is not None else signal.default_int_handler
        )


__all__ = ["Listener", "deferred_interrupts"]
