"""``state`` on a fleet: every node planned on its own, one confirmation, then every node applied.

One :class:`FleetSession` serves both fan-outs of ``apply``, so each node's settings are
resolved (and their warnings shown) once and its HTTP session is reused for the writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.fleet_session import FleetSession, collect
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.cli.common.render import (
    fleet_json,
    raise_first_failure,
)
from apinode_admin_cli.cli.common.results import Summary
from apinode_admin_cli.cli.common.targets import confirm
from apinode_admin_cli.cli.state.common import (
    apply_json,
    notes,
    report_not_run,
    report_stop,
    reporter,
    show_plan,
)
from apinode_admin_cli.errors import ApinodeAdminError, FleetFailure
from apinode_admin_cli.fleet.runner import FAILED, OK, SKIPPED, NodeOutcome
from apinode_admin_cli.state.failures import ApplyFailure, ApplyStopped, done_summary

if TYPE_CHECKING:
    from apinode_admin_cli.config import Fleet
    from apinode_admin_cli.state import ApplyResult, Plan


def value(outcome: NodeOutcome[Any]) -> Any:
    """The result of a node that succeeded."""
    return outcome.result


def node_array(
    app: App,
    uris: dict[str, str],
    outcomes: Sequence[NodeOutcome[Any]],
    to_json: Callable[[Any], Any],
) -> list[dict[str, Any]]:
    """The contract's per-node objects whose ``result`` is the single-node JSON.

    A node whose apply stopped at a failure keeps its ``result`` next to its ``error``: what
    was done there matters as much as what failed.
    """
    shown: list[NodeOutcome[Any]] = [
        NodeOutcome(o.node, o.outcome, Summary(to_json(o.result)), o.error, o.elapsed)
        if o.outcome == OK
        else o
        for o in outcomes
    ]
    items = fleet_json(app, uris, shown)
    for item, outcome in zip(items, outcomes):
        if isinstance(outcome.error, (ApplyFailure, ApplyStopped)):
            item["result"] = apply_json(app, outcome.error.result)
    return items


def export_on_fleet(app: App, fleet: Fleet, operation: Callable[[Node], Any]) -> None:
    """Each node's state file: JSON per node, or TOML documents each headed by its node."""
    from apinode_admin_cli.state import dumps_state_toml

    uris, outcomes = collect(app, fleet, operation)
    if app.wants_json:
        app.term.emit_json(node_array(app, uris, outcomes, lambda data: data))
    else:
        documents = [o for o in outcomes if o.outcome == OK]
        for index, outcome in enumerate(documents):
            if index:
                app.term.echo("")
            app.term.echo(printable(f"# {outcome.node} ({uris[outcome.node]})"))
            app.term.echo(dumps_state_toml(value(outcome)), nl=False)
    raise_first_failure(fleet, outcomes)


def diff_on_fleet(app: App, fleet: Fleet, planner: Callable[[Node], Plan]) -> bool:
    """Every node's plan, each line after its node's name; True when some node has changes."""
    from apinode_admin_cli.state import plan_json, plan_lines

    uris, outcomes = collect(app, fleet, planner)
    if app.wants_json:
        app.term.emit_json(node_array(app, uris, outcomes, plan_json))
    else:
        for outcome in outcomes:
            if outcome.outcome == OK:
                for line in plan_lines(value(outcome)):
                    app.term.echo(printable(f"{outcome.node}: {line}"))
                for note in notes(value(outcome)):
                    app.term.info(printable(f"{outcome.node}: {note}"))
    raise_first_failure(fleet, outcomes)
    return any(value(o).has_changes for o in outcomes if o.outcome == OK)


def apply_on_fleet(
    app: App, fleet: Fleet, planner: Callable[[Node], Plan], yes: bool, parallelism: int = 1
) -> None:
    """Plan every node, show the plans, confirm once, then apply each node's own plan."""
    from apinode_admin_cli.fleet.runner import (
        NodesInterrupted,
        parallel_limit,
        requests_per_node,
    )
    from apinode_admin_cli.state import ApplyInterrupted, ApplyResult, apply_plan

    running = parallel_limit(app.early.parallel, len(fleet.profiles))
    workers = requests_per_node(running, parallelism)

    with FleetSession(app, fleet) as session:
        planned = session.run(planner)
        for outcome in planned:
            if outcome.outcome == OK:
                show_plan(app, value(outcome), yes, prefix=f"{outcome.node}: ")
        if any(o.outcome != OK for o in planned):
            refuse_partial_plan(app, fleet, session.uris, planned)
        plans: dict[str, Plan] = {o.node: value(o) for o in planned}
        total = sum(len(plan.changes) for plan in plans.values())
        if total:
            confirm(app, f"Apply {total} change{'s' if total > 1 else ''}", yes)

        def apply(node: Node) -> ApplyResult:
            assert node.name is not None
            plan = plans[node.name]
            if not plan.has_changes:
                return ApplyResult(())
            prefix = f"{node.name}: "
            try:
                # A stop between two changes ends the node's run there, with its report.
                result = apply_plan(
                    node.client,
                    plan,
                    reporter(app, prefix),
                    workers=workers,
                    stop=lambda: session.stopped,
                )
            except ApplyInterrupted as stop:
                report_stop(app, stop.result, prefix)
                raise ApplyStopped(stop.result) from None
            report_not_run(app, result, prefix)
            if not result.ok:
                raise ApplyFailure(result)
            return result

        try:
            applied = session.run(apply, say_ok=True)
        except NodesInterrupted as stop:
            _show_applied(app, fleet, session.uris, stop.outcomes, stopped=True)
            raise stop.stop from None
    _show_applied(app, fleet, session.uris, applied)


def _show_applied(
    app: App,
    fleet: Fleet,
    uris: dict[str, str],
    applied: Sequence[NodeOutcome[Any]],
    stopped: bool = False,
) -> None:
    """Every node's apply, in every output format; a stop shows it too, then ends the run."""
    if app.wants_json:
        app.term.emit_json(node_array(app, uris, applied, lambda result: apply_json(app, result)))
    else:
        from apinode_admin_cli.output.columns import FLEET_ACTIONS, NODE_KEY

        records = [
            {NODE_KEY: o.node, "outcome": o.outcome, "detail": _detail(app, o)} for o in applied
        ]
        app.term.emit(app.output_format, records, FLEET_ACTIONS, None)
    if not stopped:
        raise_first_failure(fleet, applied)


def refuse_partial_plan(
    app: App, fleet: Fleet, uris: dict[str, str], planned: Sequence[NodeOutcome[Any]]
) -> None:
    """A node that could not be planned stops the whole apply before any write."""
    if app.wants_json:
        shown = [o if o.outcome == FAILED else NodeOutcome(o.node, SKIPPED) for o in planned]
        app.term.emit_json(fleet_json(app, uris, shown))
    failed = [o for o in planned if o.outcome == FAILED]
    names = ", ".join(o.node for o in planned if o.outcome != OK)
    first = failed[0] if failed else planned[0]
    hint = first.error.hint if isinstance(first.error, ApinodeAdminError) else None
    raise FleetFailure(
        f"could not plan {names} (fleet {fleet.name}): nothing was changed on any node",
        first.exit_code,
        hint=hint and f"{first.node}: {hint}",
    )


def _detail(app: App, outcome: NodeOutcome[Any]) -> str:
    if outcome.outcome == OK:
        return done_summary(value(outcome))
    if outcome.outcome == FAILED:
        return app.redactor.message(outcome.error)
    return ""


__all__ = ["apply_on_fleet", "diff_on_fleet", "export_on_fleet"]
