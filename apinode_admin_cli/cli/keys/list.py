"""``keys list``: the admin API keys of a node."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Result, Rows
from apinode_admin_cli.cli.common.targets import run


@click.command("list")
@click.option(
    "--show-secrets",
    is_flag=True,
    help="Show the keys a node lists in clear (before DSS 13.1) instead of ******.",
)
@output_options
@pass_app
def keys_list(app: App, show_secrets: bool) -> None:
    """List admin keys; secrets are masked (nodes that hash keys never return them).

    Nodes before DSS 13.1 list their keys in clear: --show-secrets prints them as the node
    sent them, in every format (nodes that hash keys still show ******).

    \b
    Examples:
      apinode-admin keys list
      apinode-admin keys list -o json | jq -r '.[] | select(.label == "ci") | .id'
      apinode-admin keys list --show-secrets -o json | jq -r '.[] | select(.label == "ci") | .key'
    """
    from apinode_admin_cli.output.columns import KEYS, KEYS_SHOWN

    columns = KEYS_SHOWN if show_secrets else KEYS

    def op(node: Node) -> Result:
        records = node.client.auth().list_keys()
        return Rows(records, columns, raw=records)

    run(app, op)
