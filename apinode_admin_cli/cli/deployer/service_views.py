"""``deployer services list|show|versions``: published services and their versions."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.deployer.common import (
    check_id,
    deployer,
    service_ids,
    show_rows,
    show_summary,
)

SERVICE = click.argument("service_id", metavar="SERVICE", shell_complete=service_ids)


def service_record(light: Any) -> dict[str, Any]:
    """One row of `services list` from a service's light status."""
    info = light.get("serviceBasicInfo") or {}
    versions = [p.get("id") for p in light.get("packages") or [] if isinstance(p, dict)]
    deployments = [d.get("id") for d in light.get("deployments") or [] if isinstance(d, dict)]
    return {
        "id": info.get("id"),
        "versions": len(versions),
        "latest": versions[-1] if versions else None,
        "deployments": ",".join(str(d) for d in deployments),
    }


@click.command("list")
@output_options
@pass_app
def services_list(app: App) -> None:
    """List the published services.

    \b
    Examples:
      apinode-admin deployer services list
      apinode-admin deployer services list -o json | jq -r '.[].serviceBasicInfo.id'
    """
    from apinode_admin_cli.output.deployer import SERVICES

    with deployer(app) as dep:
        items = dep.list_services(as_objects=False)
    show_rows(app, [service_record(i) for i in items], SERVICES, items)


@click.command("show")
@SERVICE
@output_options
@pass_app
def services_show(app: App, service_id: str) -> None:
    """Show a published service.

    Its versions and deployments.

    \b
    Examples:
      apinode-admin deployer services show churn
    """
    check_id(service_id, "service id")
    with deployer(app) as dep:
        light = dep.get_service(service_id).get_status().get_raw()
    show_summary(app, service_record(light), light)


@click.command("versions")
@SERVICE
@output_options
@pass_app
def services_versions(app: App, service_id: str) -> None:
    """List the versions of a service.

    Oldest first.

    \b
    Examples:
      apinode-admin deployer services versions churn
      apinode-admin deployer services versions churn -o json | jq -r '.[-1].id'
    """
    from apinode_admin_cli.output.deployer import VERSIONS

    check_id(service_id, "service id")
    with deployer(app) as dep:
        versions = dep.get_service(service_id).get_status().get_versions()
    show_rows(app, versions, VERSIONS, versions)
