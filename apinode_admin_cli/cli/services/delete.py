"""``services delete``: a service and its generations."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
    yes_option,
)
from apinode_admin_cli.cli.common.reports import deleted
from apinode_admin_cli.cli.common.results import Result
from apinode_admin_cli.cli.common.targets import confirm, run


@click.command("delete")
@click.argument("service_id", shell_complete=service_ids)
@yes_option
@output_options
@pass_app
def services_delete(app: App, service_id: str, yes: bool) -> None:
    """Delete a service and its generations.

    \b
    Examples:
      apinode-admin services delete churn          # asks on a terminal
      apinode-admin services delete churn --yes    # in scripts
    """
    confirm(app, f"Delete service {service_id}", yes)

    def op(node: Node) -> Result:
        return deleted(node, f"service {service_id}", node.client.service(service_id).delete())

    run(app, op)
