"""``state apply``: make a node or a fleet serve what a desired-state file says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, cast

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.common.render_reports import refuse_partial, show_reports
from apinode_admin_cli.cli.common.targets import Session, confirm, session
from apinode_admin_cli.cli.state.common import (
    apply_json,
    file_option,
    load_state,
    plan_operation,
    report_not_run,
    report_stop,
    reporter,
    show_plan,
)
from apinode_admin_cli.client.concurrency import DEFAULT_WORKERS
from apinode_admin_cli.state.failures import ApplyFailure, ApplyStopped, done_summary

if TYPE_CHECKING:
    from apinode_admin_cli.fleet.runner import NodeOutcome
    from apinode_admin_cli.state import ApplyResult, DesiredState, Plan

# Services changed at once on a node: the client's per-node default (imports load models).
DEFAULT_PARALLELISM = DEFAULT_WORKERS


@click.command("apply")
@file_option
@click.option("--prune", is_flag=True, help="Also delete the services that FILE does not name.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 256),
    default=DEFAULT_PARALLELISM,
    show_default=True,
    metavar="N",
    help="Services changed at once on each node (1: every change in plan order, one by one).",
)
@yes_option
@output_options
@pass_app
def state_apply(app: App, path: str, prune: bool, parallelism: int, yes: bool) -> None:
    """Make the node match FILE: show the plan, confirm, then run it.

    Services are changed concurrently (--parallelism), each service's own changes in plan
    order: create, import, preload, mapping or switch, enable or disable; deletions (--prune)
    come last. Changes are reported on stderr in plan order as they complete. The first
    failure stops what has not started: what was done, what failed and what did not run are
    reported, and the exit code is the failure's; running apply again finishes the work.
    Nothing to change: no write request.
    -o json prints {"ok", "exitCode", "changes": [{..., "status"}]}.

    \b
    Examples:
      apinode-admin state apply -f apinode/prod.toml
      apinode-admin --fleet prod state apply -f apinode/prod.toml -y
      apinode-admin state apply -f apinode/prod.toml --prune -y -o json
    """
    from apinode_admin_cli.rollout.listener import terminate_as_interrupt

    desired = load_state(app, path)
    # SIGTERM (a cancelled CI job) stops an apply as Ctrl-C does: with a report, never silently.
    with terminate_as_interrupt():
        if desired.services or not desired.deployments:
            _apply(app, desired, prune, yes, parallelism)
        if desired.deployments:
            # The nodes' services first: a deployment may rely on nothing they hold, but a
            # failure there stops the run before the deployer is touched.
            from apinode_admin_cli.cli.state.deployer import apply_deployments_cli

            apply_deployments_cli(app, desired, yes)


def _apply(app: App, desired: DesiredState, prune: bool, yes: bool, parallelism: int) -> None:
    """Plan every node (a single node is a fleet of one), show the plans, confirm once, then
    apply each node's own plan and show every node's report."""
    from apinode_admin_cli.fleet.runner import (
        OK,
        NodesInterrupted,
        parallel_limit,
        requests_per_node,
    )

    planner = plan_operation(desired, prune, remind=True)
    with session(app) as nodes:
        planned = nodes.run(planner)
        for outcome in planned:
            if outcome.outcome == OK:
                show_plan(app, cast("Plan", outcome.result), yes, prefix=_prefix(outcome.node))
        refuse_partial(app, nodes, planned, "plan")
        plans = {o.node: cast("Plan", o.result) for o in planned}
        total = sum(len(plan.changes) for plan in plans.values())
        if total:
            confirm(app, f"Apply {total} change{'s' if total > 1 else ''}", yes)
        running = parallel_limit(app.early.parallel, len(plans))
        apply = _apply_operation(app, nodes, plans, requests_per_node(running, parallelism))
        try:
            applied = nodes.run(apply, say_ok=True)
        except NodesInterrupted as stop:
            _show(app, nodes, stop.outcomes, stopped=True)
            raise stop.stop from None
    _show(app, nodes, applied)


def _apply_operation(
    app: App, nodes: Session, plans: dict[str, Plan], workers: int
) -> Callable[[Node], ApplyResult]:
    """Apply one node's plan, its changes reported as they complete."""
    from apinode_admin_cli.state import ApplyInterrupted, ApplyResult, apply_plan

    def apply(node: Node) -> ApplyResult:
        plan = plans[node.name or ""]
        if not plan.has_changes:
            return ApplyResult(())
        prefix = _prefix(node.name)
        try:
            # A stop between two changes ends the node's run there, with its report.
            result = apply_plan(
                node.client,
                plan,
                reporter(app, prefix),
                workers=workers,
                stop=lambda: nodes.stopped,
            )
        except ApplyInterrupted as stop:
            report_stop(app, stop.result, prefix)
            # The stop as the cause: the session ends the run with it once every node is done.
            raise ApplyStopped(stop.result) from stop
        report_not_run(app, result, prefix)
        if not result.ok:
            raise ApplyFailure(result)
        return result

    return apply


def _show(
    app: App, nodes: Session, outcomes: Sequence[NodeOutcome[Any]], stopped: bool = False
) -> None:
    show_reports(
        app,
        nodes,
        outcomes,
        to_json=lambda result: apply_json(app, result),
        detail=done_summary,
        closing=lambda result: (
            f"Apply complete: {done_summary(result)}." if result.outcomes else None
        ),
        stopped=stopped,
    )


def _prefix(name: Optional[str]) -> str:
    """What a node's lines start with: its name in a fleet, nothing on one node."""
    return f"{name}: " if name else ""
