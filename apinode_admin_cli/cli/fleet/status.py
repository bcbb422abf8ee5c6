"""``fleet status``: drift between the nodes of a fleet."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.errors import ExitCode, UsageError


@click.command("status")
@click.option(
    "--exit-code", is_flag=True, help="Exit 8 when the nodes differ (7 when one is unreachable)."
)
@click.option(
    "--differing",
    is_flag=True,
    help="Show only the services that are not the same on every node (or not known to be).",
)
@output_options
@pass_app
def fleet_status(app: App, exit_code: bool, differing: bool) -> None:
    """Show what every node serves, service by service, and whether the nodes agree.

    A service is the same everywhere (converged, as `state diff` sees it) when every node was
    read and has it, enabled alike, with the same mapping (shares within 1e-6). A generation
    a node holds without serving it is not drift: SAME says "yes (other generations)". Each
    cell shows what the node serves, largest share first: a generation (v2), a mapping (v2
    90% v1 10%), disabled (v2), no active generation, missing, unreachable, or failed (the
    node answered with an error). SAME is yes, no (with what differs), or unknown (a node
    could not be read).

    \b
    Examples:
      apinode-admin --fleet prod fleet status
      apinode-admin --fleet prod fleet status --differing
      apinode-admin --fleet prod fleet status --exit-code -q || alert "prod drifted"
      apinode-admin --fleet prod fleet status -o json | jq '.services[] | select(.consistent | not)'
    """
    from apinode_admin_cli.cli.common.fleet_session import collect
    from apinode_admin_cli.cli.common.render import raise_first_failure
    from apinode_admin_cli.cli.common.targets import fleet_of
    from apinode_admin_cli.client.concurrency import READERS_PER_NODE
    from apinode_admin_cli.fleet.drift import compare
    from apinode_admin_cli.fleet.runner import OK, parallel_limit, requests_per_node
    from apinode_admin_cli.state import read_node_state

    chosen = fleet_of(app)
    if chosen is None:
        raise UsageError(
            "fleet status compares the nodes of a fleet: pass --fleet NAME",
            hint="or set APINODE_ADMIN_FLEET; `apinode-admin config fleets` lists them",
        )

    running = parallel_limit(app.early.parallel, len(chosen.profiles))
    # Many services' generations at once: drift must cost about one node's listing.
    workers = requests_per_node(running, READERS_PER_NODE)

    def read(node: Node) -> Any:
        return read_node_state(node.client, workers=workers)

    uris, outcomes = collect(app, chosen, read)
    states = {o.node: (o.result if o.outcome == OK else None) for o in outcomes}
    drifts = compare(states, chosen.profiles)
    consistent = all(d.consistent for d in drifts) and all(o.outcome == OK for o in outcomes)
    shown = [d for d in drifts if not d.consistent] if differing else drifts
    if app.output_format == "json":
        from apinode_admin_cli.cli.common.render import fleet_json

        nodes = [
            {k: v for k, v in item.items() if k != "result"}
            for item in fleet_json(app, uris, outcomes)
        ]
        app.term.emit_json(
            {
                "fleet": chosen.name,
                "consistent": consistent,
                "nodes": nodes,
                "services": [d.to_json() for d in shown],
            }
        )
    else:
        _show_table(app, chosen, outcomes, states, drifts, shown, differing)
    raise_first_failure(chosen, outcomes)
    if exit_code and not consistent:
        raise click.exceptions.Exit(ExitCode.DIFFERENCES)


def _show_table(
    app: App,
    chosen: Any,
    outcomes: list[Any],
    states: dict[str, Any],
    drifts: list[Any],
    shown: list[Any],
    differing: bool,
) -> None:
    """Each shown service's row: what every node serves, and whether they agree."""
    from apinode_admin_cli.errors import ConnectionFailure
    from apinode_admin_cli.fleet.drift import compact
    from apinode_admin_cli.fleet.runner import SKIPPED
    from apinode_admin_cli.output.columns import drift_columns

    columns = drift_columns(chosen.profiles)
    # A node that answered with an error (a refused key, say) was reached all the same.
    down = {
        o.node: "unreachable"
        if isinstance(o.error, ConnectionFailure)
        else ("skipped" if o.outcome == SKIPPED else "failed")
        for o in outcomes
    }
    records = []
    for drift in shown:
        row: dict[str, Any] = {"service": drift.service_id, "same": drift.same_text()}
        for name in chosen.profiles:
            answered = states[name] is not None
            row[f"\x00{name}"] = compact(drift.views[name]) if answered else down[name]
        records.append(row)
    app.term.emit(app.output_format, records, columns, None)
    reached = [state for state in states.values() if state is not None]
    if not drifts and len(reached) == len(states):
        app.term.info(f"No service on any node of fleet {chosen.name}.")
    elif not drifts and reached:
        app.term.info(f"No service on the reachable nodes of fleet {chosen.name}.")
    elif differing and not shown:
        app.term.info(f"Every service is the same on every node of fleet {chosen.name}.")
