"""``generations list``: the generations of a service."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Result, Rows
from apinode_admin_cli.cli.common.targets import run


@click.command("list")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def generations_list(app: App, service_id: str) -> None:
    """List a service's generations and their share of traffic.

    \b
    Examples:
      apinode-admin generations list churn
      apinode-admin generations list churn -o json | jq -r '.generations[].generationId'
    """
    from apinode_admin_cli.output.columns import GENERATIONS

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).get_generations()
        return Rows(answer["generations"], GENERATIONS, raw=answer)

    run(app, op)
