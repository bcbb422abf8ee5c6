"""The original tool's ``metrics-get``."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.compat._common import dumps, say
from apinode_admin_cli.cli.options import pass_app


@click.command("metrics-get")
@pass_app
def metrics_get(app: App) -> None:
    """Print the node's metrics as one line of JSON (modern: metrics show).

    \b
    Examples:
      apinode-admin metrics-get
      apinode-admin metrics-get | jq .
    """
    say(dumps(app.client().get_metrics()))
