"""``keys delete``: an admin API key, never the one in use unless forced."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import key_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app, read_stream, yes_option
from apinode_admin_cli.cli.common.reports import deleted
from apinode_admin_cli.cli.common.results import Result
from apinode_admin_cli.cli.common.targets import confirm, fleet_of, run
from apinode_admin_cli.cli.keys.common import in_use_error, key_in_use, maybe_in_use
from apinode_admin_cli.errors import UsageError


@click.command("delete")
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
    listing tells: it shows the secrets, or this key is the only valid one listed. When the
    listing cannot tell (hidden secrets, several valid keys), --id is refused without
    --force too, unless the key is expired.

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
    if key and not force and asking and fleet_of(app) is None and key == app.settings.api_key:
        raise in_use_error(app.settings.sources.get("api_key", ""))
    if key_id:
        confirm(app, f"Delete key with id {key_id}", yes)
    else:
        confirm(app, f"Delete key {mask(key)}", yes)

    def op(node: Node) -> Result:
        if key and not force and key == node.settings.api_key:
            raise in_use_error(node.settings.sources.get("api_key", ""))
        if key_id and not force:
            listed = node.client.auth().list_keys()
            source = node.settings.sources.get("api_key", "")
            why = key_in_use(listed, key_id, node.settings.api_key)
            if why:
                raise in_use_error(source, why)
            # Not proven ours, but not ruled out either: a lockout is not worth the risk.
            doubt = maybe_in_use(listed, key_id)
            if doubt:
                raise in_use_error(source, doubt, certain=False)
        if key_id:
            return deleted(node, f"key {key_id}", node.client.auth().delete_key_by_id(key_id))
        assert key is not None
        return deleted(node, f"key {mask(key)}", node.client.auth().delete_key(key))

    run(app, op)
