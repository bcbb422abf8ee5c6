"""``services rollout``: move a service's traffic to a generation in steps; roll back on failure.

Registered on the ``services`` group by ``cli/services/__init__.py``. A rollout coordinates
every node step by step (each step on every node before the probes run), so it builds the
fleet's nodes once (``targets.nodes``) instead of fanning an operation out with ``run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import generation_ids, service_ids
from apinode_admin_cli.cli.common.options import option_for, output_options, pass_app
from apinode_admin_cli.cli.common.targets import fleet_of, nodes

if TYPE_CHECKING:
    from apinode_admin_cli.cli.common.node import Node


@click.command("rollout")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("generation", shell_complete=generation_ids)
@click.option(
    "--archive",
    type=click.Path(),
    metavar="PATH",
    help="Import this package first, where GENERATION is missing (each node reads it from its "
    "own disk); it must create GENERATION.",
)
@click.option(
    "--steps",
    default="10,50,100",
    show_default=True,
    metavar="P,P,...",
    help="Percentages of the traffic for GENERATION, increasing, ending at 100.",
)
@click.option(
    "--pause",
    type=float,
    default=0.0,
    metavar="SECONDS",
    help="Wait between steps (a countdown on a terminal; Ctrl-C rolls back).  [default: 0]",
)
@click.option(
    "--probe",
    "probe_file",
    type=click.Path(allow_dash=True),
    metavar="FILE|-",
    help="Records predicted on GENERATION after each step: JSON lines of feature objects, "
    "or a JSON array.",
)
@click.option("--endpoint", metavar="ENDPOINT", help="The endpoint the probes are predicted with.")
@click.option(
    "--max-probe-failures",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Failed probes a step tolerates (over all nodes); one more rolls back.",
)
@click.option("--dry-run", is_flag=True, help="Check, print the planned mappings, change nothing.")
@option_for("service_key")
@output_options
@pass_app
def rollout(
    app: App,
    service_id: str,
    generation: str,
    archive: Optional[str],
    steps: str,
    pause: float,
    probe_file: Optional[str],
    endpoint: Optional[str],
    max_probe_failures: int,
    dry_run: bool,
    service_key: Optional[str],
) -> None:
    """Move traffic to GENERATION in steps, probing it; roll back by itself on a failure.

    The mapping in force is the stable one. Each step sends GENERATION its percentage (the
    stable generations share the rest as before; 100 is GENERATION alone), on every node of
    the fleet, then predicts the probes with GENERATION forced. Failed probes (beyond
    --max-probe-failures), a step that does not apply, or Ctrl-C restore the stable mapping
    on every node: exit 9 (130 for Ctrl-C). Everything is checked before the first change.
    On success the last line of stdout is GENERATION.

    \b
    Examples:
      apinode-admin services rollout churn v2 --probe probes.jsonl --endpoint score
      apinode-admin services rollout churn v2 --steps 5,25,50,100 --pause 300
      apinode-admin services rollout churn v3 --archive /srv/packages/churn-v3.zip --dry-run
      apinode-admin --fleet prod services rollout churn v2 --probe probes.jsonl --endpoint score
    """
    from apinode_admin_cli.cli.common.rollout_plan import plan_from_options

    # Local checks first: nothing is read from a node before the arguments hold together.
    plan = plan_from_options(
        service_id,
        generation,
        steps=steps,
        pause=pause,
        probe_file=probe_file,
        endpoint=endpoint,
        max_probe_failures=max_probe_failures,
    )
    app.update_flags({"service_key": service_key})
    with nodes(app) as targets:
        if archive is not None:
            # Every node is told the same absolute path; a local node's copy must exist.
            from dataclasses import replace

            plan = replace(plan, archive=[node.node_path(archive) for node in targets][0])
        _drive(app, plan, targets, dry_run)


def _drive(app: App, plan: Any, targets: list[Node], dry_run: bool) -> None:
    """Run (or plan) the rollout on the nodes and show its report, whatever the ending."""
    from apinode_admin_cli.cli.common.rollout_plan import drive
    from apinode_admin_cli.cli.services.rollout_view import RolloutView
    from apinode_admin_cli.rollout import Rollout

    view = RolloutView(app, plan, fleet=fleet_of(app) is not None)
    drive(Rollout(targets, plan, view, service_key=lambda n: n.settings.service_key), view, dry_run)
