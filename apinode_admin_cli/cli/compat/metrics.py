"""The original tool's ``metrics-get``."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.cli.common.targets import one_node
from apinode_admin_cli.cli.compat.common import dumps, say


@click.command("metrics-get")
@pass_app
def metrics_get(app: App) -> None:
    """Print the node's metrics as one line of JSON (modern: metrics show).

    \b
    Examples:
      apinode-admin metrics-get
      apinode-admin metrics-get | jq .
    """
    say(dumps(one_node(app).client.get_metrics()))
