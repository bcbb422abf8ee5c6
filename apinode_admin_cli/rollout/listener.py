"""How a rollout reports its progress: a listener with a no-op method per event."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from apinode_admin_cli.rollout.signals import deferred_interrupts, stop_signals

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

    def probes_started(self, percent: int, label: str) -> None:
        """The probes of the step begin on the node (the step's mapping is live meanwhile)."""

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

    def unchanged(self, generation: str) -> None:
        """Every node already sends all its traffic to ``generation``: no step runs."""


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """While a rollout runs, SIGTERM raises :class:`Terminated`, which rolls back as Ctrl-C does.

    Without it, a cancelled CI job would kill the process between two steps and leave the
    traffic split with nothing said (or, for ``emulator demo``, its data dir behind). The
    first stop signal raises; any later one, however close, is only recorded (see
    :mod:`apinode_admin_cli.rollout.signals`), until the process ends when a stop signal
    ended the block: the program is then on its way out with a report to print. Main thread
    only; a no-op elsewhere.
    """
    with stop_signals(linger=True):
        yield


__all__ = ["Listener", "deferred_interrupts", "terminate_as_interrupt"]
