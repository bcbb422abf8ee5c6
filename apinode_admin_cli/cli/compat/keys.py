"""The original tool's admin key commands, whose JSON Dataiku's Ansible modules read."""

from __future__ import annotations

from typing import Any, Callable, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.cli.common.targets import one_node
from apinode_admin_cli.cli.compat.common import (
    OK,
    dash_if_empty,
    dumps,
    formatting_options,
    print_table,
    say,
)
from apinode_admin_cli.errors import NotFoundError
from apinode_admin_cli.redact import HIDDEN


def _as_listed(record: Any) -> Any:
    """The node's record, with ``"key": "******"`` where the node left the key out.

    Nodes that hash keys list ``"******"`` (some leave the field out): scripts written for
    the original, such as Dataiku's Ansible modules, read ``["key"]`` and test for that value
    before using the id. A key the node did return is printed as it came.
    """
    if isinstance(record, dict) and "key" not in record:
        return {"key": HIDDEN, **record}
    return record


@click.command("admin-keys-list")
@formatting_options
@pass_app
def admin_keys_list(app: App, output: str, no_header: bool) -> None:
    """List admin keys: Key, Label (modern: keys list, which masks them).

    Prints what the node returned, as the original does: nodes before DSS 13.1 list their
    keys in clear (and no id), and scripts written for the original reuse or delete them;
    nodes that hash keys list "key": "******" with an id (a key left out shows so too).

    \b
    Examples:
      apinode-admin admin-keys-list
      apinode-admin admin-keys-list --output json | jq -r '.[] | select(.label == "ci") | .id'
    """
    keys = [_as_listed(k) for k in one_node(app).client.auth().list_keys()]
    if output == "json":
        say(dumps(keys))
        return
    rows = [
        [dash_if_empty(k.get("key")), dash_if_empty(k.get("label"))]
        for k in keys
        if isinstance(k, dict)
    ]
    print_table(rows, ["Key", "Label"], no_header)


@click.command("admin-key-create")
@click.option("--label", help="Key label.")
@click.option("--description", help="Key long description (the original tool dropped it).")
@formatting_options
@pass_app
def admin_key_create(
    app: App, label: Optional[str], description: Optional[str], output: str, no_header: bool
) -> None:
    """Create an admin key and print its secret (modern: keys create).

    \b
    Examples:
      apinode-admin admin-key-create --label deploy
      apinode-admin admin-key-create --output json --label ci | jq -r .key
    """
    answer = one_node(app).client.auth().add_key(label, description)
    if output == "json":
        say(dumps(answer))
        return
    if not no_header:
        say("The new API key is:")
    say(f"\t{answer.get('key') if isinstance(answer, dict) else answer}")


def _delete(output: str, call: Callable[[], Any]) -> None:
    """Run a deletion; an unknown key is an answer, not a failure, as scripts expect."""
    try:
        call()
    except NotFoundError:  # a 404, or a node's "Key to delete not found" whatever its status
        say('{"result":false}' if output == "json" else "KEY NOT FOUND")
        return
    say('{"result":true}' if output == "json" else OK)


@click.command("admin-key-delete")
@click.argument("key", metavar="KEY")
@formatting_options
@pass_app
def admin_key_delete(app: App, key: str, output: str, no_header: bool) -> None:
    """Delete an admin key by its secret, without asking (modern: keys delete KEY -y).

    An unknown key prints KEY NOT FOUND (or {"result":false}) and exits with 0.

    \b
    Examples:
      apinode-admin admin-key-delete "$OLD_KEY"
      apinode-admin admin-key-delete "$OLD_KEY" --output json
    """
    _delete(output, lambda: one_node(app).client.auth().delete_key(key))


@click.command("admin-key-delete-by-id")
@click.argument("key_id", metavar="ID")
@formatting_options
@pass_app
def admin_key_delete_by_id(app: App, key_id: str, output: str, no_header: bool) -> None:
    """Delete an admin key by its id, without asking (modern: keys delete --id ID -y).

    An unknown id prints KEY NOT FOUND (or {"result":false}) and exits with 0.

    \b
    Example:
      apinode-admin admin-key-delete-by-id 3f2a9c0d1e2b4a5f
    """
    _delete(output, lambda: one_node(app).client.auth().delete_key_by_id(key_id))
