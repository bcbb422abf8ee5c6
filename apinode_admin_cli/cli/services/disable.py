"""``services disable``."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
)
from apinode_admin_cli.cli.common.results import Action, Result
from apinode_admin_cli.cli.common.targets import run


@click.command("disable")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def services_disable(app: App, service_id: str) -> None:
    """Disable a service: it stops answering predictions.

    \b
    Example:
      apinode-admin services disable churn
    """

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).disable()
        node.info(f"Disabled service {service_id}.")
        return Action(answer)

    run(app, op)
