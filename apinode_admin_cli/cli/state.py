"""``state``: export, diff and apply desired state (a state file) on a node or a whole fleet.

The file is read and checked once, before any request. A node's plan is read-only; on a fleet
every node is planned first, the plans are shown together and confirmed once, and only then
does a second fan-out apply them (``cli/state_fleet.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.complete import service_ids
from apinode_admin_cli.cli.node import Node
from apinode_admin_cli.cli.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.terminal import printable
from apinode_admin_cli.errors import ApinodeAdminError, ExitCode

if TYPE_CHECKING:
    from apinode_admin_cli.state import ApplyResult, ChangeOutcome, DesiredState, Plan


@click.group()
def state() -> None:
    """Desired state: export, diff and apply what a node or a fleet serves (GitOps)."""


file_option = click.option(
    "-f",
    "--file",
    "path",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The state file: TOML, or JSON for a .json name; - reads stdin.",
)


@state.command("export")
@click.argument("services", nargs=-1, metavar="[SERVICE]...", shell_complete=service_ids)
@output_options
@pass_app
def state_export(app: App, services: tuple[str, ...]) -> None:
    """Print what the node serves now as a state file (TOML; JSON with -o json).

    Generations export as "" (they must exist: the node does not know the archives' paths),
    so applying the exported file changes nothing. On a fleet, one document per node, each
    after a comment naming the node (-o json: one object per node).

    \b
    Examples:
      apinode-admin state export > apinode/prod.toml
      apinode-admin state export churn fraud -o json
    """
    from apinode_admin_cli.state import dumps_state_toml, export_state

    def op(node: Node) -> Any:
        return export_state(node.client, list(services) or None)

    fleet = app.fleet
    if fleet is not None:
        from apinode_admin_cli.cli.state_fleet import export_on_fleet

        export_on_fleet(app, fleet, op)
    elif app.wants_json:
        app.emit_json(op(app.node()))
    else:
        app.term.echo(dumps_state_toml(op(app.node())), nl=False)


@state.command("diff")
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
    from apinode_admin_cli.state import plan_json, plan_lines, plan_notes

    desired = load_state(app, path)
    planner = plan_operation(desired, prune, remind=False)
    fleet = app.fleet
    if fleet is not None:
        from apinode_admin_cli.cli.state_fleet import diff_on_fleet

        changed = diff_on_fleet(app, fleet, planner)
    else:
        plan = planner(app.node())
        if app.wants_json:
            app.emit_json(plan_json(plan))
        else:
            for line in plan_lines(plan):
                app.term.echo(printable(line))
        for note in plan_notes(plan):
            app.term.info(printable(note))
        changed = plan.has_changes
    if exit_code and changed:
        raise click.exceptions.Exit(ExitCode.DIFFERENCES)


@state.command("apply")
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
        from apinode_admin_cli.cli.state_fleet import apply_on_fleet

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


# -- shared by the single-node and the fleet paths --------------------------------------------


def load_state(app: App, path: str) -> DesiredState:
    """The checked state file (exit 2 naming the file and key when it is not usable)."""
    from apinode_admin_cli.state import read_state_file

    return read_state_file(path, stdin=app.term.inp)


def plan_operation(desired: DesiredState, prune: bool, remind: bool) -> Callable[[Node], Plan]:
    """The read-only operation that plans one node; it checks archive paths of local nodes."""
    from apinode_admin_cli.state import plan_node

    def op(node: Node) -> Plan:
        plan = plan_node(node.client, desired, prune)
        imports = [c.path for c in plan.changes if c.action == "import" and c.path]
        if imports and node.is_local():
            for archive in imports:
                node.node_path(archive)  # a missing archive fails now, before any write
        elif imports and remind:
            node.remind(
                "Note: the node reads the archive paths of the state file from its own disk, "
                "not from this machine."
            )
        return plan

    return op


def show_plan(app: App, plan: Plan, yes: bool, prefix: str) -> None:
    """The plan and its notes on stderr; shown even with -q when a person must confirm it."""
    from apinode_admin_cli.state import plan_lines, plan_notes

    say = app.term.say if plan.has_changes and not yes and app.term.can_prompt() else app.info
    for line in plan_lines(plan):
        say(printable(f"{prefix}{line}"))
    for note in plan_notes(plan):
        app.info(printable(f"{prefix}{note}"))


def reporter(app: App, prefix: str) -> Callable[[ChangeOutcome], None]:
    """Report each change as it completes: ``done: + service fraud (0.02 s)``, or the failure."""
    from apinode_admin_cli.state import change_line

    def report(outcome: ChangeOutcome) -> None:
        line = printable(f"{prefix}{outcome.status}: {change_line(outcome.change)}")
        if outcome.error is None:
            app.info(f"{line} ({outcome.elapsed:.2f} s)")
        else:
            app.term.say(f"{line}: {scrubbed(app, outcome.error.message)}")

    return report


def report_not_run(app: App, result: ApplyResult, prefix: str) -> None:
    """After a failure, the changes that were not run, even with -q."""
    from apinode_admin_cli.state import change_line

    for outcome in result.not_run:
        app.term.say(printable(f"{prefix}not run: {change_line(outcome.change)}"))


def scrubbed(app: App, text: str) -> str:
    """Text from a node, fit for the terminal: no key of this run, no control character."""
    from apinode_admin_cli.redact import scrub

    return printable(scrub(text, app.secrets()))


def apply_json(app: App, result: ApplyResult) -> dict[str, Any]:
    """``apply -o json``: every change with its status; a node's error text scrubbed."""
    from apinode_admin_cli.redact import scrub

    data = result.to_json()
    for change in data["changes"]:
        error = change.get("error")
        if error:
            # Keys scrubbed; control characters left to the JSON writer, which escapes them once.
            for field in ("errorType", "message"):
                error[field] = scrub(str(error[field]), app.secrets())
    return data


def done_summary(result: ApplyResult) -> str:
    """``5 changes done``, ``1 change done``, ``no changes``."""
    count = len(result.done)
    if not result.outcomes:
        return "no changes"
    return f"{count} change{'' if count == 1 else 's'} done"


class ApplyFailure(ApinodeAdminError):
    """An apply that stopped at a failed change; exits with that change's exit code."""

    def __init__(self, result: ApplyResult) -> None:
        from apinode_admin_cli.state import change_line

        failed = result.failed
        assert failed is not None and failed.error is not None
        self.result = result
        self.cause = failed.error
        not_run = len(result.not_run)
        hint = f"{done_summary(result)}, {not_run} not run: "
        if failed.error.hint:
            hint += f"{failed.error.hint}; then "
        hint += "run apply again, it plans from where the node is now"
        super().__init__(
            f"apply stopped at `{change_line(failed.change)}`: {failed.error.message}", hint
        )
        self.exit_code = result.exit_code

    def to_json(self) -> dict[str, Any]:
        payload = self.cause.to_json()
        payload["error"]["message"] = self.message
        return payload


__all__ = ["ApplyFailure", "state"]
