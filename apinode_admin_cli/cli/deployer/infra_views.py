"""``deployer infras list|show``: infrastructures and their API nodes (keys masked)."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.deployer.common import check_id, deployer, infra_ids, show_rows

INFRA = click.argument("infra_id", metavar="INFRA", shell_complete=infra_ids)


def infra_record(light: Any) -> dict[str, Any]:
    """One row of `infras list` from an infrastructure's light status."""
    info = light.get("infraBasicInfo") or {}
    urls = info.get("apiNodeUrls")
    deployments = [d.get("id") for d in light.get("deployments") or [] if isinstance(d, dict)]
    return {
        "id": info.get("id"),
        "type": info.get("type"),
        "stage": info.get("stage"),
        "nodes": len(urls) if isinstance(urls, list) else None,
        "deployments": ",".join(str(d) for d in deployments),
    }


@click.command("list")
@output_options
@pass_app
def infras_list(app: App) -> None:
    """List the infrastructures.

    \b
    Examples:
      apinode-admin deployer infras list
      apinode-admin deployer infras list -o json | jq -r '.[].infraBasicInfo.id'
    """
    from apinode_admin_cli.output.deployer import INFRAS

    with deployer(app) as dep:
        items = dep.list_infras(as_objects=False)
    show_rows(app, [infra_record(i) for i in items], INFRAS, items)


@click.command("show")
@INFRA
@output_options
@pass_app
def infras_show(app: App, infra_id: str) -> None:
    """Show an infrastructure and its API nodes.

    The nodes' admin keys are masked.

    JSON output: {"status": light status, "settings": settings}, keys as "******".

    \b
    Examples:
      apinode-admin deployer infras show dev
      apinode-admin deployer infras show dev -o json | jq -r '.settings.apiNodes[].url'
    """
    from apinode_admin_cli.cli.deployer.common import show_summary
    from apinode_admin_cli.output.deployer import INFRA_NODES

    check_id(infra_id, "infrastructure id")
    with deployer(app) as dep:
        infra = dep.get_infra(infra_id)
        light = infra.get_status().get_raw()
        settings = infra.get_settings().get_raw()
    raw = {"status": light, "settings": settings}
    if app.output_format == "json":
        show_summary(app, {}, raw)
        return
    show_summary(app, infra_record(light), raw)
    nodes = settings.get("apiNodes")
    if isinstance(nodes, list) and nodes:
        app.term.echo("")
        show_rows(app, nodes, INFRA_NODES, nodes)
