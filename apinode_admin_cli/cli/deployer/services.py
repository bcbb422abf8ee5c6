"""``deployer services``: published services and their versions."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "list": ".service_views:services_list",
        "show": ".service_views:services_show",
        "versions": ".service_views:services_versions",
        "create": ".service_changes:services_create",
        "delete": ".service_changes:services_delete",
        "upload": ".service_changes:services_upload",
        "delete-version": ".service_changes:services_delete_version",
    },
)
def services() -> None:
    """Published API services and their versions."""
