"""``services create``: an empty service."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
)
from apinode_admin_cli.cli.common.results import Action, Result
from apinode_admin_cli.cli.common.targets import run


@click.command("create")
@click.argument("service_id")
@output_options
@pass_app
def services_create(app: App, service_id: str) -> None:
    """Create an empty service.

    \b
    Examples:
      apinode-admin services create churn
      apinode-admin generations import churn /srv/packages/v1.zip --activate
    """

    def op(node: Node) -> Result:
        answer = node.client.create_service(service_id)
        node.info(f"Created service {service_id}.")
        from shlex import quote  # here: `services list` need not import it

        node.info(f"Next: apinode-admin generations import {quote(service_id)} ARCHIVE --activate")
        return Action(answer)

    run(app, op)
