"""The rollout driver: check every node, then step, probe and pause; roll back on a failure.

It talks to each node through the node's admin client and a user-API client factory, and
reports through a :class:`Listener`; it prints nothing. Nodes are changed one after the other,
in the order given, so that the driver always knows which nodes a step has touched and a
rollback restores exactly those (each to its own stable mapping).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Optional, Sequence

from apinode_admin_cli.errors import (
    APIError,
    ApinodeAdminError,
    AuthenticationError,
    Terminated,
)
from apinode_admin_cli.rollout.checks import NodeRun, RolloutNode, check_nodes, import_archive
from apinode_admin_cli.rollout.listener import Listener, deferred_interrupts
from apinode_admin_cli.rollout.probes import ProbeOutcome, run_probes
from apinode_admin_cli.rollout.report import (
    FAILED,
    INTERRUPTED,
    OK,
    PLANNED,
    RUNNING,
    RestoreFailed,
    RolloutFailed,
    RolloutInterrupted,
    RolloutReport,
    RolloutTerminated,
    StepRecord,
)
from apinode_admin_cli.rollout.steps import Shares, describe_mapping, mapping_body, step_shares

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeClient
    from apinode_admin_cli.rollout.plan import RolloutPlan

# A restore is idempotent: worth a second attempt before a node is declared left behind.
RESTORE_ATTEMPTS = 2


class _StepFailed(Exception):
    pass


class Rollout:
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
        for percent in self.plan.steps:
            self.report.steps.append(StepRecord(percent, self._mappings(percent), PLANNED))
        return self.report

    def run(self) -> RolloutReport:
        """Check, import (``archive``), preload, then each step; rolled back on any failure.

        Raises RolloutFailed (exit 9) after a rollback, RolloutInterrupted (a
        KeyboardInterrupt) after Ctrl-C and its rollback (RolloutTerminated after a SIGTERM
        that ``terminate_as_interrupt`` turned into :class:`Terminated`), RestoreFailed (exit 1)
        when a node could not be restored; errors before the first mapping change propagate as
        they are.
        """
        self._check()
        try:
            try:
                self._prepare()
                for index, percent in enumerate(self.plan.steps):
                    if index:
                        self._pause(percent)
                    self._step(percent)
            finally:
                for client in self._user_clients.values():
                    client.close()
        except _StepFailed as failure:
            self._roll_back(str(failure))
            raise RolloutFailed(
                f"{failure}; rolled back to the stable mapping"
                + (" on every node" if self.report.fleet else ""),
                self.report,
            ) from None
        except KeyboardInterrupt as stop:
            self._end_running(INTERRUPTED)
            if not self._touched():
                raise
            if isinstance(stop, Terminated):
                self._roll_back("interrupted (SIGTERM)")
                raise RolloutTerminated(self.report) from None
            self._roll_back("interrupted (Ctrl-C)")
            raise RolloutInterrupted(self.report) from None
        except Exception as exc:
            # A failure nobody planned for (a bug, a broken stream): the traffic goes back
            # first, then the failure surfaces as it is.
            self._end_running(FAILED)
            if self._touched():
                text = exc.message if isinstance(exc, ApinodeAdminError) else repr(exc)
                self._roll_back(f"unexpected failure: {text}")
            raise
        return self.report

    def _end_running(self, result: str) -> None:
        for record in self.report.steps:
            if record.result == RUNNING:
                record.result = result

    # -- before any write ---------------------------------------------------------------------

    def _check(self) -> None:
        check_nodes(self.runs, self.plan)
        report = self.report
        report.stable = {r.label: r.stable for r in self.runs}
        report.to_import = [r.label for r in self.runs if r.needs_import]
        for run in self.runs:
            self.listener.checked(run.label, run.stable)

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
                reason = f"{run.on()}setting the mapping failed: {exc.message}"
                self._fail(record, f"step {percent}%: {reason}")
            run.applied, run.pending = shares, None
            self.listener.step_applied(percent, run.label, shares)
        if plan.probes and plan.endpoint:
            self._probe(record)
        record.result = OK
        self.listener.step_done(record)

    def _probe(self, record: StepRecord) -> None:
        plan = self.plan
        total = ProbeOutcome()
        record.probes = total
        for run in self.runs:
            try:
                outcome = run_probes(
                    self._user_client(run),
                    plan.endpoint or "",
                    plan.generation,
                    plan.probes,
                )
            except AuthenticationError as exc:
                self._fail(
                    record,
                    f"step {record.percent}%: {run.on()}the probes could not run: {exc.message}",
                )
            total.add(outcome)
            self.listener.probes_done(record.percent, run.label, outcome)
            if total.failed > plan.max_probe_failures:
                first = outcome.errors[0] if outcome.errors else "failed"
                self._fail(
                    record,
                    f"step {record.percent}%: {total.failed} of {total.ok + total.failed} "
                    f"probes failed (at most {plan.max_probe_failures} allowed); "
                    f"{run.on()}{first}",
                )

    def _fail(self, record: StepRecord, reason: str) -> NoReturn:
        record.fail(reason)
        self.listener.step_done(record)
        raise _StepFailed(reason)

    def _user_client(self, run: NodeRun) -> APINodeClient:
        key = id(run)
        if key not in self._user_clients:
            node = run.node
            self._user_clients[key] = node.user_client(self.plan.service, self.service_key(node))
        return self._user_clients[key]

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

    # -- rollback -------------------------------------------------------------------------------

    def _touched(self) -> list[NodeRun]:
        return [r for r in self.runs if r.touched]

    def _roll_back(self, reason: str) -> None:
        """Each touched node back to its own stable mapping; RestoreFailed if one stays off."""
        report = self.report
        report.reason = reason
        self.listener.rolling_back(reason)
        with deferred_interrupts():
            for run in self._touched():
                error, maybe_restored = self._restore(run)
                if error is None:
                    self.listener.restored(run.label, run.stable)
                    continue
                possible = [run.stable] if maybe_restored else []
                possible += [s for s in (run.pending, run.applied or run.stable) if s is not None]
                texts = list(dict.fromkeys(describe_mapping(s) for s in possible))
                left = texts[0] if len(texts) == 1 else "either " + " or ".join(texts)
                report.not_restored[run.label] = (
                    f"left with {left} (restoring {describe_mapping(run.stable)} failed: {error})"
                )
                self.listener.restore_failed(run.label, left, error)
        report.rolled_back_to = {
            r.label: r.stable for r in self.runs if r.label not in report.not_restored
        }
        if report.not_restored:
            lines = "; ".join(
                f"{label or 'the node'} is {text}" for label, text in report.not_restored.items()
            )
            raise RestoreFailed(f"{reason}, and the rollback failed: {lines}", report)

    def _restore(self, run: NodeRun) -> tuple[Optional[str], bool]:
        """(None, _) once the node serves its stable mapping again, else the last error.

        The flag is true when an attempt got no answer: the node may have applied it.
        """
        error, unanswered = "not attempted", False
        for _ in range(RESTORE_ATTEMPTS):
            try:
                run.node.client.service(self.plan.service).set_generations_mapping(
                    mapping_body(run.stable)
                )
            except Exception as exc:  # whatever it was, the next node must still be restored
                error = exc.message if isinstance(exc, ApinodeAdminError) else repr(exc)
                unanswered = unanswered or not isinstance(exc, APIError)
                continue
            run.applied, run.pending = run.stable, None
            return None, False
        return error, unanswered


__all__ = ["Rollout"]
