"""``services list``: the services of a node, with what each serves on request."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
)
from apinode_admin_cli.cli.common.results import Result, Rows
from apinode_admin_cli.cli.common.targets import run


@click.command("list")
@click.option(
    "--wide",
    is_flag=True,
    help="Add an ACTIVE column: the generation serving, or the mapping (one request more "
    "per service).",
)
@output_options
@pass_app
def services_list(app: App, wide: bool) -> None:
    """List services with their state; --wide adds what each one serves.

    With --wide, -o json adds to each service its "generations" as the node lists them.

    \b
    Examples:
      apinode-admin services list
      apinode-admin services list --wide
      apinode-admin services list -o json | jq -r '.[] | select(.enabled) | .serviceId'
    """
    from apinode_admin_cli.output.columns import SERVICES, services_columns

    def op(node: Node) -> Result:
        records = node.client.list_services()
        if wide:
            from apinode_admin_cli.cli.services.common import wide_rows

            return wide_rows(node, records)
        return Rows(records, services_columns(SERVICES, records), raw=records)

    run(app, op)
