"""``state diff``: what ``state apply`` would change."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.cli.common.targets import one_node
from apinode_admin_cli.cli.state.common import file_option, load_state, notes, plan_operation
from apinode_admin_cli.errors import ExitCode

if TYPE_CHECKING:
    pass


@click.command("diff")
@file_option
@click.option(
    "--prune", is_flag=True, help="Plan as apply --prune: unmanaged services become deletions."
)
@click.option("--exit-code", is_flag=True, help="Exit 8 when there are changes (0: none).")
@output_options
@pass_app
def state_diff(app: App, path: str, prune: bool, exit_code: bool) -> None:
    """Show the plan: the changes that would make the node match FILE, in the order they run.

    One line per change (+ adds, ~ modifies, - deletes), or "No changes."; services on the
    node that the file does not name are noted on stderr. Nothing is written to the node.

    \b
    Examples:
      apinode-admin state diff -f apinode/prod.toml
      apinode-admin --fleet prod state diff -f apinode/prod.toml --exit-code
      apinode-admin state diff -f prod.toml -o json | jq '.changes | length'
    """
    from apinode_admin_cli.state import plan_json, plan_lines

    desired = load_state(app, path)
    deployments_changed = False
    if desired.deployments:
        from apinode_admin_cli.cli.state.deployer import diff_deployments

        deployments_changed = diff_deployments(app, desired)
        if not desired.services:
            if exit_code and deployments_changed:
                raise click.exceptions.Exit(ExitCode.DIFFERENCES)
            return
    planner = plan_operation(desired, prune, remind=False)
    fleet = app.fleet
    if fleet is not None:
        from apinode_admin_cli.cli.state.fleet import diff_on_fleet

        changed = diff_on_fleet(app, fleet, planner)
    else:
        plan = planner(one_node(app))
        if app.wants_json:
            app.term.emit_json(plan_json(plan))
        else:
            for line in plan_lines(plan):
                app.term.echo(printable(line))
        for note in notes(plan):
            app.term.info(printable(note))
        changed = plan.has_changes
    if exit_code and (changed or deployments_changed):
        raise click.exceptions.Exit(ExitCode.DIFFERENCES)
