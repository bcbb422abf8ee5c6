"""``keys``: list, create and delete the node's admin API keys."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.complete import key_ids
from apinode_admin_cli.cli.key_rules import check_expiry, in_use_error, key_in_use
from apinode_admin_cli.cli.node import Node
from apinode_admin_cli.cli.options import output_options, pass_app, read_stream, yes_option
from apinode_admin_cli.cli.reports import deleted
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


@keys.command("create")
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
@click.option("--force", is_flag=True, help="Delete even the key this tool is using.")
@output_options
@pass_app
def keys_delete(
    app: App, key: Optional[str], key_id: Optional[str], yes: bool, force: bool
) -> None:
    """Delete an admin key, by its secret (- reads it from stdin) or by --id.

    The key this tool is using is refused without --force: deleting it locks this tool
    out (the next command exits 4). It is recognised by its secret, and by id when the
    listing tells: it shows the secrets, or this key is the only valid one listed.

    \b
    Examples:
      apinode-admin keys delete --id 3f2a9c -y
      printf '%s' "$OLD_KEY" | apinode-admin keys delete - -y
    """
    from apinode_admin_cli.redact import mask

    if bool(key) == bool(key_id):
        raise UsageError("give either KEY or --id ID", hint="keys delete --id ID -y")
    if key == "-":
        key = read_stream(app.term.inp).strip()
        if not key:
            raise UsageError("no key on stdin")
    # Refused before asking (a missing --yes is reported first, without reading settings).
    asking = yes or app.term.can_prompt()
    if key and not force and asking and app.fleet is None and key == app.settings.api_key:
        raise in_use_error(app.settings.sources.get("api_key", ""))
    if key_id:
        app.confirm(f"Delete key with id {key_id}", yes)
    else:
        app.confirm(f"Delete key {mask(key)}", yes)

    def op(node: Node) -> Result:
        if key and not force and key == node.settings.api_key:
            raise in_use_error(node.settings.sources.get("api_key", ""))
        if key_id and not force:
            why = key_in_use(node.client.auth().list_keys(), key_id, node.settings.api_key)
            if why:
                raise in_use_error(node.settings.sources.get("api_key", ""), why)
        if key_id:
            return deleted(node, f"key {key_id}", node.client.auth().delete_key_by_id(key_id))
        assert key is not None
        return deleted(node, f"key {mask(key)}", node.client.auth().delete_key(key))

    app.run(op)
