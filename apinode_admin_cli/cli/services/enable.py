"""``services enable``."""

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


@click.command("enable")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def services_enable(app: App, service_id: str) -> None:
    """Enable a service.

    \b
    Example:
      apinode-admin services enable churn
    """

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).enable()
        node.info(f"Enabled service {service_id}.")
        return Action(answer)

    run(app, op)
