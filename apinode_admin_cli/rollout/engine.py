"""The loop every rollout runs: check, prepare, step and pause, and roll back on any stop.

A node, a fleet (:class:`~apinode_admin_cli.rollout.driver.Rollout`) and a deployment of the
API Deployer (:class:`~apinode_admin_cli.rollout.deployment.DeploymentRollout`) differ in how
they read, change and restore their target; what happens when a step fails, when Ctrl-C or
SIGTERM comes, or when something nobody planned for breaks, is decided here, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, NoReturn

from apinode_admin_cli.errors import ApinodeAdminError, Terminated
from apinode_admin_cli.rollout.report import (
    FAILED,
    INTERRUPTED,
    RUNNING,
    RolloutFailed,
    RolloutInterrupted,
    RolloutReport,
    RolloutTerminated,
    StepRecord,
)
from apinode_admin_cli.rollout.signals import hold, stop_signals

if TYPE_CHECKING:
    from apinode_admin_cli.rollout.listener import Listener
    from apinode_admin_cli.rollout.plan import RolloutPlan


class StepFailed(Exception):
    """A step did not hold (not applied, probes failed): the rollout rolls back."""


class RolloutEngine:
    """Subclasses give ``_check``, ``_step``, ``_touched_any``, ``_roll_back`` and the rest."""

    plan: RolloutPlan
    listener: Listener
    report: RolloutReport
    sleep: Callable[[float], None]
    clock: Callable[[], float]

    def run(self) -> RolloutReport:
        """Check, prepare, then each step; rolled back on any failure.

        Raises RolloutFailed (exit 9) after a rollback, RolloutInterrupted (a
        KeyboardInterrupt) after Ctrl-C and its rollback (RolloutTerminated after a SIGTERM
        that ``terminate_as_interrupt`` turned into :class:`Terminated`), RestoreFailed (exit 1)
        when the rollback itself failed; errors before the first change propagate as they are.
        """
        with stop_signals():
            return self._run()

    def _run(self) -> RolloutReport:
        self._check()
        if self.report.unchanged:
            return self.report
        try:
            try:
                self._prepare()
                for index, percent in enumerate(self.plan.steps):
                    if index:
                        self._pause(percent)
                    self._step(percent)
            finally:
                self._close()
        except StepFailed as failure:
            # _fail held the signals already: a Ctrl-C now cannot cut the rollback short.
            self._roll_back(str(failure))
            raise RolloutFailed(f"{failure}; {self._rolled_back_to()}", self.report) from None
        except KeyboardInterrupt as stop:
            self._end_running(INTERRUPTED)
            if not self._touched_any():
                raise
            if isinstance(stop, Terminated):
                self._roll_back("interrupted (SIGTERM)")
                raise RolloutTerminated(self.report) from None
            self._roll_back("interrupted (Ctrl-C)")
            raise RolloutInterrupted(self.report) from None
        except Exception as exc:
            # A failure nobody planned for (a bug, a broken stream): the traffic goes back
            # first, then the failure surfaces as it is.
            hold()
            self._end_running(FAILED)
            if self._touched_any():
                text = exc.message if isinstance(exc, ApinodeAdminError) else repr(exc)
                self._roll_back(f"unexpected failure: {text}")
            raise
        return self.report

    # -- what each target does ------------------------------------------------------------------

    def _check(self) -> None:
        """Read the target, record its stable state; set ``report.unchanged`` if nothing to do."""
        raise NotImplementedError

    def _prepare(self) -> None:
        """What comes before the first step (an import, a preload)."""

    def _step(self, percent: int) -> None:
        """Apply one step, probe it; ``_fail`` when it does not hold."""
        raise NotImplementedError

    def _close(self) -> None:
        """Release what the steps opened (clients), failure or not."""

    def _touched_any(self) -> bool:
        """Whether a change may have reached the target: a rollback is then due."""
        raise NotImplementedError

    def _roll_back(self, reason: str) -> None:
        """Put the stable state back; RestoreFailed when that fails."""
        raise NotImplementedError

    def _rolled_back_to(self) -> str:
        """The end of the failure's message: what the target serves again."""
        return "rolled back to the stable mapping"

    # -- shared steps -----------------------------------------------------------------------------

    def _end_running(self, result: str) -> None:
        for record in self.report.steps:
            if record.result == RUNNING:
                record.result = result

    def _fail(self, record: StepRecord, reason: str) -> NoReturn:
        hold()
        record.fail(reason)
        self.listener.step_done(record)
        raise StepFailed(reason)

    def _pause(self, next_percent: int) -> None:
        seconds = self.plan.pause
        if seconds <= 0:
            return
        self.listener.pause_started(next_percent, seconds)
        try:
            deadline = self.clock() + seconds
            remaining = seconds
            while remaining > 0:
                self.listener.tick(next_percent, remaining)
                self.sleep(min(1.0, remaining))
                remaining = deadline - self.clock()
        finally:
            self.listener.pause_ended()


__all__ = ["RolloutEngine", "StepFailed"]
