"""Run a plan on one node, change after change, stopping at the first failure."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Optional, Sequence, Union

from apinode_admin_cli.client.concurrency import DEFAULT_WORKERS
from apinode_admin_cli.errors import ApinodeAdminError, ExitCode, Terminated
from apinode_admin_cli.state.current import read_node_state
from apinode_admin_cli.state.lanes import InOrder, run_lanes
from apinode_admin_cli.state.model import Change, DesiredState, Plan, mapping_body
from apinode_admin_cli.state.plan import compute_plan

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient

DONE, FAILED, NOT_RUN = "done", "failed", "not run"
# Stopped (Ctrl-C, SIGTERM) while its request was under way: the node may have applied it.
INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class ChangeOutcome:
    """What became of one change: ``done``, ``failed`` (with the error) or ``not run``."""

    change: Change
    status: str
    error: Optional[ApinodeAdminError] = None
    elapsed: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The change's JSON plus ``status``, and ``error`` for the failed one."""
        data = {**self.change.to_json(), "status": self.status}
        if self.error is not None:
            data["error"] = error_json(self.error)
        return data


@dataclass(frozen=True)
class ApplyResult:
    """Every change of the plan with its outcome, in plan order."""

    outcomes: tuple[ChangeOutcome, ...]
    # Set when a stop signal ended the run: 130 (Ctrl-C) or 143 (SIGTERM).
    stop_code: Optional[int] = None

    @property
    def done(self) -> list[ChangeOutcome]:
        return [o for o in self.outcomes if o.status == DONE]

    @property
    def failed(self) -> Optional[ChangeOutcome]:
        """The change that stopped the run, if one did."""
        return next((o for o in self.outcomes if o.status == FAILED), None)

    @property
    def not_run(self) -> list[ChangeOutcome]:
        return [o for o in self.outcomes if o.status == NOT_RUN]

    @property
    def interrupted(self) -> list[ChangeOutcome]:
        """The changes a stop signal caught under way."""
        return [o for o in self.outcomes if o.status == INTERRUPTED]

    @property
    def ok(self) -> bool:
        return self.failed is None and self.stop_code is None

    @property
    def exit_code(self) -> int:
        """0 when every change was made, else the exit code of the failure (or the stop)."""
        if self.stop_code is not None:
            return self.stop_code
        failed = self.failed
        return 0 if failed is None or failed.error is None else failed.error.exit_code

    def to_json(self) -> dict[str, Any]:
        """``{"ok", "exitCode", "changes": [{"service", "action", "detail", "status"}]}``.

        After a stop signal, ``"interrupted": true`` too.
        """
        data: dict[str, Any] = {
            "ok": self.ok,
            "exitCode": self.exit_code,
            "changes": [o.to_json() for o in self.outcomes],
        }
        if self.stop_code is not None:
            data["interrupted"] = True
        return data


class ApplyInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped an apply: ``result`` says what was done, what may have been, what not."""

    def __init__(self, result: ApplyResult) -> None:
        super().__init__()
        self.result = result


class ApplyTerminated(ApplyInterrupted, Terminated):
    """SIGTERM stopped an apply (exit 143); ``result`` as for Ctrl-C."""


class _BetweenChanges(KeyboardInterrupt):
    """``stop()`` said so before a change started: nothing of it was sent."""


def error_json(error: ApinodeAdminError) -> dict[str, Any]:
    """``{"status", "errorType", "message", "exitCode"}`` as the fleet contract shows errors."""
    return {**error.to_json()["error"], "exitCode": error.exit_code}


def plan_node(
    client: APINodeAdminClient,
    desired: DesiredState,
    prune: bool = False,
    workers: int = DEFAULT_WORKERS,
) -> Plan:
    """Read the node (generations of the managed services only) and compute its plan."""
    current = read_node_state(client, set(desired.service_ids()), workers)
    return compute_plan(desired, current, prune)


def apply_plan(
    client: APINodeAdminClient,
    plan: Union[Plan, Sequence[Change]],
    on_change: Optional[Callable[[ChangeOutcome], None]] = None,
    workers: int = 1,
    stop: Optional[Callable[[], Any]] = None,
) -> ApplyResult:
    """Make the plan's changes; ``on_change`` hears of each one done, or failed, in plan order.

    ``workers`` services are changed at once (see ``lanes``), each service's own changes in
    plan order; 1 runs every change one after the other in plan order. The first failure
    stops the run: changes not started by then are reported ``not run``, changes already
    running finish and are reported as they ended. An empty plan sends nothing.

    Ctrl-C (or SIGTERM made :class:`Terminated`) during the run, or ``stop()`` returning
    something true before a change starts, raises :class:`ApplyInterrupted` (or
    :class:`ApplyTerminated`, for SIGTERM or when ``stop()`` returned a :class:`Terminated`)
    whose ``result`` has each change caught under way as ``interrupted`` (it may have been
    applied) and the changes never started as ``not run``.
    """
    changes = plan.changes if isinstance(plan, Plan) else tuple(plan)
    outcomes: list[Optional[ChangeOutcome]] = [None] * len(changes)

    def hear(index: int) -> None:
        outcome = outcomes[index]
        if on_change is not None and outcome is not None:
            on_change(outcome)

    order = InOrder(len(changes), hear)

    # Changes whose request may be under way: started, no outcome yet.
    started: dict[int, float] = {}

    def run_one(index: int) -> bool:
        why = stop() if stop is not None else None
        if why:
            raise _BetweenChanges(why)
        change = changes[index]
        start = started[index] = time.monotonic()
        try:
            run_change(client, change)
        except ApinodeAdminError as exc:
            outcomes[index] = ChangeOutcome(change, FAILED, exc, time.monotonic() - start)
            order.ready(index)
            return False
        outcomes[index] = ChangeOutcome(change, DONE, None, time.monotonic() - start)
        order.ready(index)
        return True

    try:
        run_lanes(changes, run_one, max(1, workers))
    except KeyboardInterrupt as signal:
        _stopped(changes, outcomes, started, order, signal)
    order.skip_rest()
    return ApplyResult(tuple(o or ChangeOutcome(c, NOT_RUN) for o, c in zip(outcomes, changes)))


def _stopped(
    changes: Sequence[Change],
    outcomes: list[Optional[ChangeOutcome]],
    started: dict[int, float],
    order: InOrder,
    signal: KeyboardInterrupt,
) -> NoReturn:
    """Mark the changes caught under way, report them, and raise the whole result."""
    from apinode_admin_cli.rollout.signals import hold

    hold()  # a second signal must not cut the report short
    now = time.monotonic()
    for index, start in sorted(started.items()):
        if outcomes[index] is None:
            outcomes[index] = ChangeOutcome(changes[index], INTERRUPTED, None, now - start)
            order.ready(index)
    order.skip_rest()
    cause = signal.args[0] if isinstance(signal, _BetweenChanges) and signal.args else signal
    terminated = isinstance(cause, Terminated)
    code = int(ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED)
    result = ApplyResult(
        tuple(o or ChangeOutcome(c, NOT_RUN) for o, c in zip(outcomes, changes)), stop_code=code
    )
    raise (ApplyTerminated if terminated else ApplyInterrupted)(result) from None


def run_change(client: APINodeAdminClient, change: Change) -> None:
    """Send the request(s) of one change; errors are the client's."""
    action = change.action
    if action == "create":
        client.create_service(change.service)
        return
    service = client.service(change.service)
    if action == "import":
        assert change.path is not None and change.generation is not None
        answer = service.import_generation_from_archive(change.path)
        _check_imported(service, change, answer)
    elif action == "preload":
        assert change.generation is not None
        service.preload_generation(change.generation)
    elif action == "set-mapping":
        assert change.mapping is not None
        service.set_generations_mapping(mapping_body(change.mapping))
    elif action == "switch":
        assert change.generation is not None
        service.switch_to_single_generation(change.generation)
    elif action == "enable":
        service.enable()
    elif action == "disable":
        service.disable()
    elif action == "delete":
        service.delete()
    else:
        raise ValueError(f"unknown action {action!r}")


def _check_imported(service: Any, change: Change, answer: Any) -> None:
    """The generation the state file names must be the one the import created.

    The node names the generation from the archive, not from the file: said now rather than
    on a later mapping that names a generation the node does not have.
    """
    from apinode_admin_cli.client.imports import id_in_answer, identify, listed_ids

    # No read when the answer names the generation: the import's answer is enough.
    imported = identify(service, answer, (), expected=change.generation)
    if imported.created == change.generation:
        return
    named = id_in_answer(answer) is not None
    ids = listed_ids(service.list_generations()) if named else list(imported.new)
    if change.generation not in ids:
        raise ApinodeAdminError(
            f"importing {change.path} into {change.service!r} gave no generation "
            f"{change.generation!r}; the service has: {', '.join(ids) or 'none'}",
            hint="name the generation in the state file as the node names it",
        )
