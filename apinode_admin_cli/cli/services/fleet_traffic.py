"""Traffic changes on a fleet: every node checked before the first write, a split said aloud.

``switch-to``, ``switch-to-newest`` and ``set-mapping`` with ``--fleet`` read every node first,
as ``rollout`` and ``state apply`` do: the service must be on each node with every generation
the change names (for ``switch-to-newest``, the newest generation must be the same one on every
node). Otherwise nothing is sent anywhere. If nodes still end up serving different things
(a node failing its write, a race with an import), the tool says the fleet is split.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from apinode_admin_cli.cli.common.targets import fleet_of
from apinode_admin_cli.errors import FleetFailure, NotFoundError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.cli.common.node import Node
    from apinode_admin_cli.cli.common.results import Result
    from apinode_admin_cli.config import Fleet


def _newest(rows: list[Any]) -> Optional[str]:
    """The generation the node calls newest: the latest ``createdOn``, then the latest listed."""
    best: Optional[tuple[Any, int, str]] = None
    for index, row in enumerate(rows):
        created = row.get("createdOn")
        key = (created if isinstance(created, (int, float)) else 0, index, row["generationId"])
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def check_fleet(
    app: App, service_id: str, generations: Sequence[str] = (), newest: bool = False
) -> None:
    """On a fleet, read every node; UsageError or NotFoundError (nothing sent) unless all fit."""
    fleet = fleet_of(app)
    if fleet is None:
        return
    from apinode_admin_cli.cli.common.fleet_session import collect
    from apinode_admin_cli.fleet.runner import OK

    def read(node: Node) -> Any:
        return list(node.client.service(service_id).list_generations())

    app.term.info(f"Checking {service_id} on every node of fleet {fleet.name} before any change...")
    _, outcomes = collect(app, fleet, read)
    failed = [o for o in outcomes if o.outcome != OK]
    if failed:
        first = failed[0]
        missing = [o.node for o in failed if isinstance(o.error, NotFoundError)]
        if missing and len(missing) == len(failed):
            raise NotFoundError(
                f"service {service_id!r} not found on {', '.join(missing)}: nothing was changed "
                f"on any node of fleet {fleet.name}",
                status=404,
                hint=f"create it there first: apinode-admin --profile {missing[0]} services "
                f"create {service_id}",
            )
        raise FleetFailure(
            f"{', '.join(o.node for o in failed)} could not be checked: nothing was changed on "
            f"any node of fleet {fleet.name}",
            first.exit_code,
        )
    held = {o.node: [row["generationId"] for row in o.result or ()] for o in outcomes}
    for generation in generations:
        lacking = [node for node, ids in held.items() if generation not in ids]
        if lacking:
            raise NotFoundError(
                f"generation {generation!r} not found in service {service_id!r} on "
                f"{', '.join(lacking)}: nothing was changed on any node of fleet {fleet.name}",
                status=404,
                hint="import it on those nodes first, or roll it out with "
                f"`services rollout {service_id} {generation} --archive PATH`",
            )
    if newest:
        found = {o.node: _newest(o.result or []) for o in outcomes}
        if len(set(found.values())) > 1:
            each = ", ".join(f"{node}: {gen or 'none'}" for node, gen in found.items())
            raise UsageError(
                f"the newest generation of {service_id!r} is not the same on every node of "
                f"fleet {fleet.name} ({each}): nothing was changed",
                hint=f"switch every node to one generation by id: apinode-admin --fleet "
                f"{fleet.name} services switch-to {service_id} GENERATION",
            )


def run_traffic_change(
    app: App, service_id: str, operation: Callable[[Node], Result], served: Callable[[Any], Any]
) -> None:
    """Run the change (on every node of the fleet, if any); say so when the fleet is split.

    ``served``: what a node's result says it now serves (compared across the nodes).
    """
    from apinode_admin_cli.cli.common.render_reports import show_outcomes
    from apinode_admin_cli.cli.common.targets import session
    from apinode_admin_cli.fleet.runner import OK

    with session(app) as nodes:
        outcomes = nodes.run(operation)
    changed = [o for o in outcomes if o.outcome == OK]
    unchanged = [o.node for o in outcomes if o.outcome != OK]
    serving = {served(o.result) for o in changed}
    # One node is never split: it changed, or it failed and said so.
    if nodes.fleet is not None and changed and (unchanged or len(serving) > 1):
        _say_split(app, nodes.fleet, service_id, [o.node for o in changed], unchanged)
    show_outcomes(app, nodes, outcomes)


def _say_split(
    app: App, fleet: Fleet, service_id: str, changed: list[str], unchanged: list[str]
) -> None:
    why = (
        f"changed on {', '.join(changed)}, not on {', '.join(unchanged)}"
        if unchanged
        else "the nodes now serve different generations"
    )
    app.term.warn(
        f"fleet {fleet.name} is split: {service_id} {why}; "
        f"`apinode-admin --fleet {fleet.name} fleet status` shows what each node serves"
    )


__all__ = ["check_fleet", "run_traffic_change"]
