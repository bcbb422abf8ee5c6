"""``services switch-to``: all traffic to one generation."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import generation_ids, service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
)
from apinode_admin_cli.cli.common.results import Action, Result


@click.command("switch-to")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("generation", shell_complete=generation_ids)
@output_options
@pass_app
def services_switch_to(app: App, service_id: str, generation: str) -> None:
    """Send all traffic to one generation (a rollback, say).

    \b
    Example:
      apinode-admin services switch-to churn v1
    """

    from apinode_admin_cli.cli.services.fleet_traffic import check_fleet, run_traffic_change

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).switch_to_single_generation(generation)
        node.info(f"Service {service_id} now serves generation {generation}.")
        return Action(answer)

    # On a fleet, every node must have the generation before any node is switched.
    check_fleet(app, service_id, [generation])
    run_traffic_change(app, service_id, op, lambda result: generation)
