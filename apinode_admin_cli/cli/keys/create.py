"""``keys create``: a new admin API key."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Action, Result
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.cli.keys.common import check_expiry


@click.command("create")
@click.option("--label", help="A short name for the key.")
@click.option("--description", help="What the key is for.")
@click.option("--created-by", help="Who asked for it.")
@click.option(
    "--expiry",
    metavar="WHEN",
    help="Epoch milliseconds, or an ISO-8601 date or date-time (local time without an offset).",
)
@click.option("--force", is_flag=True, help="Accept an expiry in the past.")
@output_options
@pass_app
def keys_create(
    app: App,
    label: Optional[str],
    description: Optional[str],
    created_by: Optional[str],
    expiry: Optional[str],
    force: bool,
) -> None:
    """Create an admin key and print its secret, once.

    --expiry is checked here and sent as epoch milliseconds: 1924992000000, 2030-12-31
    (midnight, local time), 2030-12-31T18:00 (local time), 2030-12-31T18:00:00Z or
    2030-12-31T18:00:00+01:00. An expiry in the past needs --force.

    \b
    Examples:
      apinode-admin keys create --label ci --expiry 2030-01-01
      KEY=$(apinode-admin keys create --label deploy)
      apinode-admin keys create --label ci -o json | jq -r .key
    """
    from apinode_admin_cli.output.columns import CREATED_KEYS

    expiry_ms = check_expiry(expiry, force) if expiry is not None else None

    def op(node: Node) -> Result:
        answer = node.client.auth().add_key(label, description, created_by, expiry_ms)
        secret = answer.get("key") if isinstance(answer, dict) else None
        key_id = answer.get("id") if isinstance(answer, dict) else None
        node.info(f"Created key {key_id}. Its secret is shown once: store it now.")
        # On a fleet each node makes its own secret: one row per node with its id and key.
        return Action(answer, secret, columns=CREATED_KEYS)

    run(app, op)
