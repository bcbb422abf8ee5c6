"""``deployer deployments``: a service version on an infrastructure, its updates and health."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "list": ".deployment_views:deployments_list",
        "show": ".deployment_views:deployments_show",
        "status": ".deployment_views:deployments_status",
        "updates": ".deployment_views:deployments_updates",
        "create": ".deployment_changes:deployments_create",
        "delete": ".deployment_changes:deployments_delete",
        "set-version": ".deployment_changes:deployments_set_version",
        "enable": ".deployment_changes:deployments_enable",
        "disable": ".deployment_changes:deployments_disable",
        "update": ".deployment_run:deployments_update",
        "test": ".deployment_run:deployments_test",
    },
)
def deployments() -> None:
    """Deployments: service versions on infrastructures."""
