"""The rollout driver: check every node, then step, probe and pause; roll back on a failure.

It talks to each node through the node's admin client and a user-API client factory, and
reports through a :class:`Listener`; it prints nothing. Nodes are changed one after the other,
in the order given, so that the driver always knows which nodes a step has touched and a
rollback restores exactly those (each to its own stable mapping).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from apinode_admin_cli.errors import (
    APIError,
    ApinodeAdminError,
    AuthenticationError,
)
from apinode_admin_cli.rollout.checks import NodeRun, RolloutNode, check_nodes, import_archive
from apinode_admin_cli.rollout.engine import RolloutEngine
from apinode_admin_cli.rollout.listener import Listener
from apinode_admin_cli.rollout.probes import ProbeOutcome, run_probes
from apinode_admin_cli.rollout.report import (
    OK,
    PLANNED,
    RolloutReport,
    StepRecord,
)
from apinode_admin_cli.rollout.rollback import may_have_applied, roll_back
from apinode_admin_cli.rollout.steps import Shares, mapping_body, step_shares
from apinode_admin_cli.state.model import shares_equal

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeClient
    from apinode_admin_cli.rollout.plan import RolloutPlan


class Rollout(RolloutEngine):
    """One rollout of ``plan`` over ``nodes``; :meth:`run` or :meth:`dry_run` it once."""

    def __init__(
        self,
        nodes: Sequence[RolloutNode],
        plan: RolloutPlan,
        listener: Optional[Listener] = None,
        service_key: Callable[[Any], Optional[str]] = lambda node: None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.plan = plan
        self.listener = listener or Listener()
        self.runs = [NodeRun(node) for node in nodes]
        labels = [r.label for r in self.runs]
        if not labels or len(set(labels)) != len(labels):
            raise ValueError("a rollout needs one node, or nodes with distinct names")
        self.service_key = service_key
        self.sleep = sleep
        self.clock = clock
        self.report = RolloutReport(plan.service, plan.generation, [r.label for r in self.runs])
        self._user_clients: dict[int, APINodeClient] = {}

    # -- the two ways to run it -------------------------------------------------------------

    def dry_run(self) -> RolloutReport:
        """Read and check every node, and record the planned steps: nothing is written."""
        self._check()
        if self.report.unchanged:
            return self.report
        for percent in self.plan.steps:
            self.report.steps.append(StepRecord(percent, self._mappings(percent), PLANNED))
        return self.report

    def _close(self) -> None:
        for client in self._user_clients.values():
            client.close()

    def _rolled_back_to(self) -> str:
        return "rolled back to the stable mapping" + (" on every node" if self.report.fleet else "")

    # -- before any write ---------------------------------------------------------------------

    def _check(self) -> None:
        check_nodes(self.runs, self.plan)
        report = self.report
        report.stable = {r.label: r.stable for r in self.runs}
        report.to_import = [r.label for r in self.runs if r.needs_import]
        for run in self.runs:
            self.listener.checked(run.label, run.stable)
        alone = ((self.plan.generation, 1.0),)
        if all(shares_equal(r.stable, alone) for r in self.runs):
            # Three steps that each set what is already set would prove nothing.
            report.unchanged = True
            self.listener.unchanged(self.plan.generation)

    def _mappings(self, percent: int) -> dict[str, Shares]:
        generation = self.plan.generation
        return {r.label: step_shares(r.stable, generation, percent) for r in self.runs}

    def _prepare(self) -> None:
        """Import the archive where the generation is missing, then preload it everywhere."""
        plan = self.plan
        for run in self.runs:
            if run.needs_import:
                import_archive(run, plan)
                self.report.imported.append(run.label)
                self.listener.imported(run.label, plan.generation)
        for run in self.runs:
            try:
                run.node.client.service(plan.service).preload_generation(plan.generation)
            except ApinodeAdminError as exc:
                raise run.named(exc) from None
            self.listener.preloaded(run.label, plan.generation)

    # -- steps --------------------------------------------------------------------------------

    def _step(self, percent: int) -> None:
        plan = self.plan
        record = StepRecord(percent, self._mappings(percent))
        self.report.steps.append(record)
        self.listener.step_started(percent)
        for run in self.runs:
            shares = record.mappings[run.label]
            # Touched from the moment the request may leave: its answer may be lost.
            run.touched, run.pending = True, shares
            try:
                run.node.client.service(plan.service).set_generations_mapping(mapping_body(shares))
            except ApinodeAdminError as exc:
                if not may_have_applied(exc):
                    # The node refused it, or it never left: the node serves what it did.
                    run.pending = None
                    # A 5xx may hide a partial change: a restore is cheap insurance.
                    server_error = isinstance(exc, APIError) and (exc.status or 0) >= 500
                    run.touched = run.applied is not None or server_error
                reason = f"{run.on()}setting the mapping failed: {exc.message}"
                self._fail(record, f"step {percent}%: {reason}")
            run.applied, run.pending = shares, None
            self.listener.step_applied(percent, run.label, shares)
        if plan.probes and plan.endpoint:
            self._probe(record)
        record.result = OK
        self.listener.step_done(record)

    def _probe(self, record: StepRecord) -> None:
        """Probe every node, even after one failed: the report says how each one did."""
        plan = self.plan
        total = ProbeOutcome()
        record.probes = total
        refused: list[str] = []
        first_error = ""
        for run in self.runs:
            self.listener.probes_started(record.percent, run.label)
            try:
                outcome = run_probes(
                    self._user_client(run), plan.endpoint or "", plan.generation, plan.probes
                )
            except AuthenticationError as exc:
                refused.append(f"{run.on()}the probes could not run: {exc.message}")
                continue
            total.add(outcome)
            if outcome.errors and not first_error:
                first_error = f"{run.on()}{outcome.errors[0]}"
            self.listener.probes_done(record.percent, run.label, outcome)
        if refused:
            self._fail(record, f"step {record.percent}%: " + "; ".join(refused))
        if total.failed > plan.max_probe_failures:
            self._fail(
                record,
                f"step {record.percent}%: {total.failed} of {total.ok + total.failed} "
                f"probes failed (at most {plan.max_probe_failures} allowed); "
                f"{first_error or 'failed'}",
            )

    def _user_client(self, run: NodeRun) -> APINodeClient:
        key = id(run)
        if key not in self._user_clients:
            node = run.node
            self._user_clients[key] = node.user_client(self.plan.service, self.service_key(node))
        return self._user_clients[key]

    # -- rollback -------------------------------------------------------------------------------

    def _touched(self) -> list[NodeRun]:
        return [r for r in self.runs if r.touched]

    def _touched_any(self) -> bool:
        return bool(self._touched())

    def _roll_back(self, reason: str) -> None:
        """Each touched node back to its own stable mapping; RestoreFailed if one stays off."""
        roll_back(self._touched(), self.runs, self.plan.service, self.report, self.listener, reason)


__all__ = ["Rollout"]
