"""``keys``: list, create and delete the node's admin API keys.

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "list": ".list:keys_list",
        "create": ".create:keys_create",
        "delete": ".delete:keys_delete",
    },
)
def keys() -> None:
    """Manage the node's admin API keys."""
