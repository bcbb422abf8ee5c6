"""``generations preload``: load a generation before it takes traffic."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import generation_ids, service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Action, Result
from apinode_admin_cli.cli.common.targets import run


@click.command("preload")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("generation", shell_complete=generation_ids)
@output_options
@pass_app
def generations_preload(app: App, service_id: str, generation: str) -> None:
    """Load a generation into memory before it takes traffic.

    \b
    Example:
      apinode-admin generations preload churn v2
    """

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).preload_generation(generation)
        node.info(f"Preloaded generation {generation} of service {service_id}.")
        return Action(answer)

    run(app, op)
