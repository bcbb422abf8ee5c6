"""``state apply``: make a node or a fleet serve what a desired-state file says."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.common.targets import confirm, one_node
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
from apinode_admin_cli.state.failures import ApplyFailure, done_summary

if TYPE_CHECKING:
    from apinode_admin_cli.state import DesiredState

# Services changed at once on a node: imports load models, so a node is not flooded either.
DEFAULT_PARALLELISM = 8


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
    from apinode_admin_cli.state import ApplyInterrupted, ApplyResult, apply_plan

    planner = plan_operation(desired, prune, remind=True)
    fleet = app.fleet
    if fleet is not None:
        from apinode_admin_cli.cli.state.fleet import apply_on_fleet

        apply_on_fleet(app, fleet, planner, yes, parallelism)
        return
    node = one_node(app)
    plan = planner(node)
    show_plan(app, plan, yes, prefix="")
    if not plan.has_changes:
        if app.wants_json:
            app.term.emit_json(ApplyResult(()).to_json())
        return
    count = len(plan.changes)
    confirm(app, f"Apply {count} change{'s' if count > 1 else ''}", yes)
    try:
        result = apply_plan(node.client, plan, reporter(app, prefix=""), workers=parallelism)
    except ApplyInterrupted as stop:
        report_stop(app, stop.result, prefix="")
        if app.wants_json:
            app.term.emit_json(apply_json(app, stop.result))
        raise
    report_not_run(app, result, prefix="")
    if app.wants_json:
        app.term.emit_json(apply_json(app, result))
    if not result.ok:
        raise ApplyFailure(result)
    app.term.info(f"Apply complete: {done_summary(result)}.")
