"""``deployer infras``: infrastructures (static lists of API nodes, Kubernetes clusters)."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "list": ".infra_views:infras_list",
        "show": ".infra_views:infras_show",
        "create": ".infra_changes:infras_create",
        "delete": ".infra_changes:infras_delete",
        "add-node": ".infra_changes:infras_add_node",
        "remove-node": ".infra_changes:infras_remove_node",
    },
)
def infras() -> None:
    """Infrastructures: static lists of API nodes, or Kubernetes."""
