"""The rollout of a deployment: each step a mapping, an update, HEALTHY, probes; else rollback.

``deployer deploy`` is the rollout with one step (100%); ``deployer rollout`` moves the traffic
in steps with a multi-version mapping. The loop and its rollback rules are the
:class:`~apinode_admin_cli.rollout.engine.RolloutEngine` that node and fleet rollouts run;
here the target is the deployer, so each step ends with an update job and a health check.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Optional

from apinode_admin_cli.errors import ApinodeAdminError, AuthenticationError
from apinode_admin_cli.rollout.engine import RolloutEngine
from apinode_admin_cli.rollout.listener import Listener
from apinode_admin_cli.rollout.probes import ProbeOutcome, run_probes
from apinode_admin_cli.rollout.report import (
    OK,
    PLANNED,
    RestoreFailed,
    RolloutReport,
    StepRecord,
)
from apinode_admin_cli.rollout.signals import deferred_interrupts
from apinode_admin_cli.rollout.steps import describe_mapping, step_shares
from apinode_admin_cli.state.model import shares_equal

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeClient
    from apinode_admin_cli.rollout.deployer_target import DeploymentTarget
    from apinode_admin_cli.rollout.plan import RolloutPlan
    from apinode_admin_cli.state.model import Shares

# A restore is a settings save and an update: worth a second attempt of each.
RESTORE_ATTEMPTS = 2


class DeploymentListener(Listener):
    """The rollout's events, plus those of a deployment: its updates and its health."""

    def updating(self, percent: int) -> None:
        """The update job of a step (or of the rollback, percent 0) starts."""

    def healthy(self, percent: int) -> None:
        """The deployment is HEALTHY after the step's update."""


class DeploymentRollout(RolloutEngine):
    """One rollout of ``plan`` (``service`` = the deployment id) over one deployment."""

    listener: DeploymentListener

    def __init__(
        self,
        target: DeploymentTarget,
        plan: RolloutPlan,
        probe_client: Callable[[str, str], APINodeClient],
        listener: Optional[DeploymentListener] = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.target = target
        self.plan = plan
        self.listener = listener or DeploymentListener()
        self.probe_client = probe_client
        self.sleep = sleep
        self.clock = clock
        self.report = RolloutReport(plan.service, plan.generation, [""])
        self.stable: Shares = ()
        self.touched = False
        self.applied: Optional[Shares] = None
        self.pending: Optional[Shares] = None

    # -- before any write ---------------------------------------------------------------------

    def _check(self) -> None:
        target, version = self.target, self.plan.generation
        self.stable = target.read()
        self.report.stable = {"": self.stable}
        self.listener.checked("", self.stable)
        alone = ((version, 1.0),)
        if shares_equal(self.stable, alone) and target.health == "HEALTHY":
            self.report.unchanged = True
            self.listener.unchanged(version)
            return
        target.check(version)
        if not self.stable:
            from apinode_admin_cli.errors import UsageError

            raise UsageError(
                f"deployment {self.plan.service} has no version: nothing to roll back to",
                hint="set one first: apinode-admin deployer deployments set-version",
            )

    def _mappings(self, percent: int) -> dict[str, Shares]:
        return {"": step_shares(self.stable, self.plan.generation, percent)}

    def dry_run(self) -> RolloutReport:
        """Read and check the deployment, and record the planned steps: nothing is written."""
        self._check()
        if not self.report.unchanged:
            for percent in self.plan.steps:
                self.report.steps.append(StepRecord(percent, self._mappings(percent), PLANNED))
        return self.report

    def _touched_any(self) -> bool:
        return self.touched

    def _rolled_back_to(self) -> str:
        return f"rolled back to {describe_mapping(self.stable)}"

    # -- steps --------------------------------------------------------------------------------

    def _step(self, percent: int) -> None:
        record = StepRecord(percent, self._mappings(percent))
        self.report.steps.append(record)
        self.listener.step_started(percent)
        shares = record.mappings[""]
        deadline = self.clock() + self.target.wait_timeout
        # Touched from the moment the settings may change: the answer may be lost.
        self.touched, self.pending = True, shares
        try:
            self.target.set_mapping(shares)
            self.applied, self.pending = shares, None
            self.listener.step_applied(percent, "", shares)
            self.listener.updating(percent)
            self.target.update(deadline)
            self.target.wait_healthy(deadline)
        except ApinodeAdminError as exc:
            self._fail(record, f"step {percent}%: {exc.message}")
        self.listener.healthy(percent)
        if self.plan.probes and self.plan.endpoint:
            self._probe(record)
        record.result = OK
        self.listener.step_done(record)

    def _probe(self, record: StepRecord) -> None:
        """Probe every node of the deployment with the version forced where the call allows."""
        plan, total, refused = self.plan, ProbeOutcome(), []
        record.probes = total
        first_error = ""
        try:
            urls = self.target.node_urls()
        except ApinodeAdminError as exc:
            self._fail(record, f"step {record.percent}%: the nodes could not be listed: {exc}")
        if not urls:
            self._fail(record, f"step {record.percent}%: the deployment lists no node to probe")
        for url in urls:
            self.listener.probes_started(record.percent, url)
            client = self.probe_client(url, self.target.service_id)
            try:
                outcome = run_probes(client, plan.endpoint or "", plan.generation, plan.probes)
            except AuthenticationError as exc:
                refused.append(f"{url}: the probes could not run: {exc.message}")
                continue
            finally:
                client.close()
            total.add(outcome)
            if outcome.errors and not first_error:
                first_error = f"{url}: {outcome.errors[0]}"
            self.listener.probes_done(record.percent, url, outcome)
        if refused:
            self._fail(record, f"step {record.percent}%: " + "; ".join(refused))
        if total.failed > plan.max_probe_failures:
            self._fail(
                record,
                f"step {record.percent}%: {total.failed} of {total.ok + total.failed} probes "
                f"failed (at most {plan.max_probe_failures} allowed); {first_error or 'failed'}",
            )

    # -- rollback -------------------------------------------------------------------------------

    def _roll_back(self, reason: str) -> None:
        """The stable mapping saved, updated and HEALTHY again, else RestoreFailed."""
        report = self.report
        report.reason = reason
        self.listener.rolling_back(reason)
        with deferred_interrupts():
            error, saved = self._restore()
        if error is None:
            report.rolled_back_to = {"": self.stable}
            self.listener.restored("", self.stable)
            return
        left = self._left(saved)
        report.rolled_back_to = {}
        report.not_restored[""] = (
            f"{left} (restoring {describe_mapping(self.stable)} failed: {error})"
        )
        self.listener.restore_failed("", left, error)
        raise RestoreFailed(
            f"{reason}, and the rollback failed: deployment {self.plan.service} is {left} "
            f"({error})",
            report,
        )

    def _restore(self) -> tuple[Optional[str], bool]:
        """(None, True) once restored, else (why, whether the settings hold the stable mapping)."""
        target, saved, error = self.target, False, "not attempted"
        try:
            target.stop_job()
        except ApinodeAdminError as exc:
            return exc.message, False
        for _ in range(RESTORE_ATTEMPTS):
            try:
                if not saved:
                    target.set_mapping(self.stable)
                    saved = True
                self.listener.updating(0)
                deadline = self.clock() + target.wait_timeout
                target.update(deadline, recover=True)
                target.wait_healthy(deadline)
                return None, True
            except ApinodeAdminError as exc:
                error = exc.message
                if not saved:
                    continue
                try:
                    target.stop_job()
                except ApinodeAdminError:
                    break
        return error, saved

    def _left(self, saved: bool) -> str:
        """What the deployment holds after a failed rollback, as far as it can be read."""
        stable = describe_mapping(self.stable)
        if saved:
            settings = f"set to {stable} in the deployer"
        else:
            possible = [s for s in (self.pending, self.applied) if s is not None]
            texts = list(dict.fromkeys(describe_mapping(s) for s in possible)) or [stable]
            settings = "set to " + " or ".join(texts) + " in the deployer"
        try:
            health = self.target.read_health()
        except ApinodeAdminError:
            health = "of unknown health"
        return f"{settings}, {health} on its nodes"


__all__ = ["DeploymentListener", "DeploymentRollout"]
