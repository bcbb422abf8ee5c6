"""What the ``state`` commands share: the state file, the plan and how changes are reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.state.failures import done_summary

if TYPE_CHECKING:
    from apinode_admin_cli.state import ApplyResult, ChangeOutcome, DesiredState, Plan


file_option = click.option(
    "-f",
    "--file",
    "path",
    required=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="The state file: TOML, or JSON for a .json name; - reads stdin.",
)


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


def notes(plan: Plan) -> list[str]:
    """The plan's notes, worded with this CLI's commands and flags."""
    from apinode_admin_cli.state import plan_notes

    return plan_notes(
        plan, list_all="`state diff -o json` lists them all", prune="apply --prune deletes them"
    )


def show_plan(app: App, plan: Plan, yes: bool, prefix: str) -> None:
    """The plan and its notes on stderr; shown even with -q when a person must confirm it."""
    from apinode_admin_cli.state import plan_lines

    say = app.term.say if plan.has_changes and not yes and app.term.can_prompt() else app.term.info
    for line in plan_lines(plan):
        say(printable(f"{prefix}{line}"))
    for note in notes(plan):
        app.term.info(printable(f"{prefix}{note}"))


def reporter(app: App, prefix: str) -> Callable[[ChangeOutcome], None]:
    """Report each change as it completes: ``done: + service fraud (0.02 s)``, or the failure."""
    from apinode_admin_cli.state import change_line

    def report(outcome: ChangeOutcome) -> None:
        line = printable(f"{prefix}{outcome.status}: {change_line(outcome.change)}")
        if outcome.status == "interrupted":
            app.term.say(f"{line} (under way when stopped: the node may have applied it)")
        elif outcome.error is None:
            app.term.info(f"{line} ({outcome.elapsed:.2f} s)")
        else:
            app.term.say(f"{line}: {app.redactor.line(outcome.error.message)}")

    return report


def report_not_run(app: App, result: ApplyResult, prefix: str) -> None:
    """After a failure, the changes that were not run, even with -q."""
    from apinode_admin_cli.state import change_line

    for outcome in result.not_run:
        app.term.say(printable(f"{prefix}not run: {change_line(outcome.change)}"))


def apply_json(app: App, result: ApplyResult) -> dict[str, Any]:
    """``apply -o json``: every change with its status; a node's error text scrubbed."""
    return app.redactor.change_errors(result.to_json())


def report_stop(app: App, result: ApplyResult, prefix: str) -> None:
    """After a stop signal: the changes not run, then one line saying what the stop left."""
    report_not_run(app, result, prefix)
    app.term.say(
        f"{prefix}Apply interrupted: {done_summary(result)}; run apply again, it plans from "
        "where the node is now."
    )
