"""``keys``: list, create and delete the node's admin API keys."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App, Node
from apinode_admin_cli.cli.complete import key_ids
from apinode_admin_cli.cli.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.results import Action, Result, Rows
from apinode_admin_cli.errors import UsageError


@click.group()
def keys() -> None:
    """Manage the node's admin API keys."""


@keys.command("list")
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


def _expiry(value: Optional[str]) -> Any:
    """Epoch milliseconds stay numbers; anything else (ISO-8601) is sent as text."""
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


@keys.command("create")
@click.option("--label", help="A short name for the key.")
@click.option("--description", help="What the key is for.")
@click.option("--created-by", help="Who asked for it.")
@click.option("--expiry", metavar="WHEN", help="Epoch milliseconds or an ISO-8601 date/time.")
@output_options
@pass_app
def keys_create(
    app: App,
    label: Optional[str],
    description: Optional[str],
    created_by: Optional[str],
    expiry: Optional[str],
) -> None:
    """Create an admin key and print its secret, once.

    \b
    Examples:
      apinode-admin keys create --label ci --expiry 2027-01-01
      KEY=$(apinode-admin keys create --label deploy)
      apinode-admin keys create --label ci -o json | jq -r .key
    """

    from apinode_admin_cli.output import Column

    def op(node: Node) -> Result:
        answer = node.client.auth().add_key(label, description, created_by, _expiry(expiry))
        secret = answer.get("key") if isinstance(answer, dict) else None
        key_id = answer.get("id") if isinstance(answer, dict) else None
        node.info(f"Created key {key_id}. Its secret is shown once: store it now.")
        # On a fleet each node makes its own secret: one row per node with its id and key.
        return Action(answer, secret, columns=(Column("id", "ID"), Column("key", "KEY")))

    app.run(op)


@keys.command("delete")
@click.argument("key", required=False)
@click.option(
    "--id",
    "key_id",
    metavar="ID",
    shell_complete=key_ids,
    help="Delete by key id instead of by secret.",
)
@yes_option
@output_options
@pass_app
def keys_delete(app: App, key: Optional[str], key_id: Optional[str], yes: bool) -> None:
    """Delete an admin key, by its secret (- reads it from stdin) or by --id.

    \b
    Examples:
      apinode-admin keys delete --id 3f2a9c -y
      printf '%s' "$OLD_KEY" | apinode-admin keys delete - -y
    """
    from apinode_admin_cli.redact import mask

    if bool(key) == bool(key_id):
        raise UsageError("give either KEY or --id ID", hint="keys delete --id ID -y")
    if key == "-":
        key = app.term.inp.read().strip()
        if not key:
            raise UsageError("no key on stdin")
    if key_id:
        app.confirm(f"Delete key with id {key_id}", yes)
    else:
        app.confirm(f"Delete key {mask(key)}", yes)

    def op(node: Node) -> Result:
        if key_id:
            answer = node.client.auth().delete_key_by_id(key_id)
            node.info(f"Deleted key {key_id}.")
        else:
            assert key is not None
            answer = node.client.auth().delete_key(key)
            node.info(f"Deleted key {mask(key)}.")
        return Action(answer)

    app.run(op)
