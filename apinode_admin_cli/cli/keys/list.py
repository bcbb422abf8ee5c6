"""``keys list``: the admin API keys of a node."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Result, Rows


@click.command("list")
@output_options
@pass_app
def keys_list(app: App) -> None:
    """List admin keys; secrets are masked (nodes that hash keys never return them).

    \b
    Examples:
      apinode-admin keys list
      apinode-admin keys list -o json | jq -r '.[] | select(.label == "ci") | .id'
    """
    from apinode_admin_cli.output.columns import KEYS

    def op(node: Node) -> Result:
        records = node.client.auth().list_keys()
        return Rows(records, KEYS, raw=records)

    app.run(op)
