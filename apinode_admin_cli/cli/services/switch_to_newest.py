"""``services switch-to-newest``: all traffic to the newest generation."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
)
from apinode_admin_cli.cli.common.reports import switched_to_newest


@click.command("switch-to-newest")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def services_switch_to_newest(app: App, service_id: str) -> None:
    """Send all traffic to the newest generation; prints its id.

    \b
    Examples:
      apinode-admin services switch-to-newest churn
      GEN=$(apinode-admin services switch-to-newest churn)
    """
    from apinode_admin_cli.cli.services.fleet_traffic import check_fleet, run_traffic_change

    # On a fleet, the newest generation must be one and the same on every node.
    check_fleet(app, service_id, newest=True)
    run_traffic_change(
        app,
        service_id,
        lambda node: switched_to_newest(
            node, service_id, node.client.service(service_id).switch_to_newest()
        ),
        lambda result: result.value,
    )
