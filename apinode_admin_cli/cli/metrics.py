"""``metrics``: the node's metrics."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App, Node
from apinode_admin_cli.cli.options import output_options, pass_app
from apinode_admin_cli.cli.results import Result, Rows


@click.group()
def metrics() -> None:
    """Read the node's metrics."""


@metrics.command("show")
@output_options
@pass_app
def metrics_show(app: App) -> None:
    """Show every metric, nested keys flattened to dotted names.

    \b
    Examples:
      apinode-admin metrics show
      apinode-admin metrics show -o tsv | grep requests
      apinode-admin metrics show -o json | jq .
    """
    from apinode_admin_cli.output import flat_records
    from apinode_admin_cli.output.columns import METRICS

    def op(node: Node) -> Result:
        data = node.client.get_metrics()
        return Rows(flat_records(data, "name"), METRICS, raw=data)

    app.run(op)
