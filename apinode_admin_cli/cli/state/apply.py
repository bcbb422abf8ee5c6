"""``state apply``: make a node or a fleet serve what a desired-state file says."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.state.common import (
    ApplyFailure,
    apply_json,
    done_summary,
    file_option,
    load_state,
    plan_operation,
    report_not_run,
    reporter,
    show_plan,
)

if TYPE_CHECKING:
    pass


@click.command("apply")
@file_option
@click.option("--prune", is_flag=True, help="Also delete the services that FILE does not name.")
@yes_option
@output_options
@pass_app
def state_apply(app: App, path: str, prune: bool, yes: bool) -> None:
    """Make the node match FILE: show the plan, confirm, then run it change by change.

    Each change is reported on stderr as it completes. The first failure stops the node:
    what was done, what failed and what did not run are reported, and the exit code is the
    failure's; running apply again finishes the work. Nothing to change: no write request.
    -o json prints {"ok", "exitCode", "changes": [{..., "status"}]}.

    \b
    Examples:
      apinode-admin state apply -f apinode/prod.toml
      apinode-admin --fleet prod state apply -f apinode/prod.toml -y
      apinode-admin state apply -f apinode/prod.toml --prune -y -o json
    """
    from apinode_admin_cli.state import ApplyResult, apply_plan

    desired = load_state(app, path)
    planner = plan_operation(desired, prune, remind=True)
    fleet = app.fleet
    if fleet is not None:
        from apinode_admin_cli.cli.state.fleet import apply_on_fleet

        apply_on_fleet(app, fleet, planner, yes)
        return
    node = app.node()
    plan = planner(node)
    show_plan(app, plan, yes, prefix="")
    if not plan.has_changes:
        if app.wants_json:
            app.emit_json(ApplyResult(()).to_json())
        return
    count = len(plan.changes)
    app.confirm(f"Apply {count} change{'s' if count > 1 else ''}", yes)
    result = apply_plan(node.client, plan, reporter(app, prefix=""))
    report_not_run(app, result, prefix="")
    if app.wants_json:
        app.emit_json(apply_json(app, result))
    if not result.ok:
        raise ApplyFailure(result)
    app.info(f"Apply complete: {done_summary(result)}.")
