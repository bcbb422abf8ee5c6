"""``state diff``: what ``state apply`` would change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, cast

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.cli.common.render_reports import show_each
from apinode_admin_cli.cli.common.targets import session
from apinode_admin_cli.cli.state.common import file_option, load_state, notes, plan_operation
from apinode_admin_cli.errors import ExitCode

if TYPE_CHECKING:
    from apinode_admin_cli.state import Plan


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
    from apinode_admin_cli.fleet.runner import OK
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
    with session(app) as nodes:
        planned = nodes.run(planner)

    def show_text(name: Optional[str], plan: Plan) -> None:
        prefix = f"{name}: " if name else ""
        for line in plan_lines(plan):
            app.term.echo(printable(f"{prefix}{line}"))
        for note in notes(plan):
            app.term.info(printable(f"{prefix}{note}"))

    show_each(app, nodes, planned, plan_json, show_text)
    changed = any(o.outcome == OK and cast("Plan", o.result).has_changes for o in planned)
    if exit_code and (changed or deployments_changed):
        raise click.exceptions.Exit(ExitCode.DIFFERENCES)
