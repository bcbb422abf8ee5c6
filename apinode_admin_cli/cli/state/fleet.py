"""``state export`` and ``state diff`` on a fleet: every node's file or plan, after its name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.fleet_session import collect
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.cli.common.render import raise_first_failure
from apinode_admin_cli.cli.common.render_reports import report_array
from apinode_admin_cli.cli.state.common import notes
from apinode_admin_cli.fleet.runner import OK, NodeOutcome

if TYPE_CHECKING:
    from apinode_admin_cli.config import Fleet
    from apinode_admin_cli.state import Plan


def value(outcome: NodeOutcome[Any]) -> Any:
    """The result of a node that succeeded."""
    return outcome.result


def export_on_fleet(app: App, fleet: Fleet, operation: Callable[[Node], Any]) -> None:
    """Each node's state file: JSON per node, or TOML documents each headed by its node."""
    from apinode_admin_cli.state import dumps_state_toml

    uris, outcomes = collect(app, fleet, operation)
    if app.wants_json:
        app.term.emit_json(report_array(app, uris, outcomes, lambda data: data))
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
        app.term.emit_json(report_array(app, uris, outcomes, plan_json))
    else:
        for outcome in outcomes:
            if outcome.outcome == OK:
                for line in plan_lines(value(outcome)):
                    app.term.echo(printable(f"{outcome.node}: {line}"))
                for note in notes(value(outcome)):
                    app.term.info(printable(f"{outcome.node}: {note}"))
    raise_first_failure(fleet, outcomes)
    return any(value(o).has_changes for o in outcomes if o.outcome == OK)


__all__ = ["diff_on_fleet", "export_on_fleet"]
