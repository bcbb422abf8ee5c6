"""``deployer deployments list|show|status|updates``: what deployments are and how they do."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.deployer.common import (
    check_id,
    deployer,
    deployment_ids,
    show_rows,
    show_summary,
)
from apinode_admin_cli.errors import ApinodeAdminError, ExitCode

DEPLOYMENT = click.argument("deployment_id", metavar="DEPLOYMENT", shell_complete=deployment_ids)
WATCH_SECONDS = 2.0
# Heavy statuses are read at once for `list`: each may wait on the nodes it checks.
STATUS_READERS = 8


def deployment_record(light: Any, health: Optional[str] = None) -> dict[str, Any]:
    """One row of `deployments list` from a light status (and the health, when read)."""
    from apinode_admin_cli.output.deployer import mapping_text

    info = light.get("deploymentBasicInfo") or {}
    return {
        "id": info.get("id"),
        "service": info.get("publishedServiceId"),
        "infra": info.get("infraId"),
        "version": mapping_text(info.get("generationsMapping")),
        "enabled": info.get("enabled"),
        "health": health,
    }


@click.command("list")
@output_options
@pass_app
def deployments_list(app: App) -> None:
    """List deployments, their version and health.

    JSON output is the deployer's list as received (light statuses, API keys masked): the
    health needs one more request per deployment, made for the table only.

    \b
    Examples:
      apinode-admin deployer deployments list
      apinode-admin deployer deployments list -o json | jq -r '.[].deploymentBasicInfo.id'
    """
    from concurrent.futures import ThreadPoolExecutor

    from apinode_admin_cli.output.deployer import DEPLOYMENTS

    with deployer(app) as dep:
        items = dep.list_deployments(as_objects=False)
        if app.output_format == "json":
            show_rows(app, [], DEPLOYMENTS, items)
            return

        def health(light: Any) -> Optional[str]:
            deployment_id = str((light.get("deploymentBasicInfo") or {}).get("id"))
            try:
                heavy = dep.get_deployment(deployment_id).get_status().get_heavy()
            except ApinodeAdminError as exc:
                app.term.warn(f"health of deployment {deployment_id}: {exc.message}")
                return "UNKNOWN"
            return str(heavy.get("health") or "UNKNOWN")

        with ThreadPoolExecutor(max_workers=STATUS_READERS) as pool:
            healths = list(pool.map(health, items))
    records = [deployment_record(i, h) for i, h in zip(items, healths)]
    show_rows(app, records, DEPLOYMENTS, items)


@click.command("show")
@DEPLOYMENT
@output_options
@pass_app
def deployments_show(app: App, deployment_id: str) -> None:
    """Show a deployment and its settings.

    API keys are masked.

    JSON output: {"status": light status, "settings": settings}.

    \b
    Examples:
      apinode-admin deployer deployments show churn-prod
      apinode-admin deployer deployments show churn-prod -o json | jq .settings.generationsMapping
    """
    check_id(deployment_id, "deployment id")
    with deployer(app) as dep:
        deployment = dep.get_deployment(deployment_id)
        light = deployment.get_light_status()
        settings = deployment.get_settings().get_raw()
    raw = {"status": light, "settings": settings}
    record = deployment_record(light)
    del record["health"]
    show_summary(app, record, raw)


def _status_parts(
    light: Any, heavy: Any, read: Optional[dict[str, str]] = None
) -> tuple[dict[str, Any], list[Any], list[Any]]:
    """The summary, the health messages and one row per node (or the public URL).

    Each node's row says what the deployment deploys beside what the node serves: read
    through a profile (``read``: URL -> text), else as the deployer reports it, if it does.
    """
    from apinode_admin_cli.client.deployer.deployments import service_urls
    from apinode_admin_cli.output.deployer import mapping_text

    record = deployment_record(light, heavy.get("health"))
    messages = (heavy.get("healthMessages") or {}).get("messages") or []
    try:
        urls = service_urls(light, heavy)
    except ValueError:
        urls = []
    nodes: list[Any] = []
    api_nodes = heavy.get("apiNodes")
    if isinstance(api_nodes, list):
        for index, node in enumerate(api_nodes):
            node = node if isinstance(node, dict) else {}
            state = next((node[k] for k in ("health", "status", "state") if k in node), None)
            url = urls[index] if index < len(urls) else None
            serving = node.get("serving")
            said = None
            if isinstance(serving, dict) and len(serving) == 1:
                said = str(next(iter(serving)))
            elif isinstance(serving, dict) and serving:
                entries = [{"generation": g, "proba": p} for g, p in serving.items()]
                said = mapping_text({"entries": entries})
            serves = (read or {}).get(str(node.get("url", "")).rstrip("/"), said)
            nodes.append(
                {
                    "node": node.get("url"),
                    "state": state,
                    "url": url,
                    "deployed": record["version"],
                    "serves": serves,
                }
            )
    elif urls:
        nodes.append({"node": heavy.get("publicURL"), "state": heavy.get("health"), "url": urls[0]})
        # An emulated Kubernetes infrastructure also says how each replica does.
        for replica in heavy.get("replicas") or []:
            if isinstance(replica, dict):
                nodes.append({"node": replica.get("url"), "state": replica.get("status")})
    return record, [m for m in messages if isinstance(m, dict)], nodes


def _draw_status(app: App, light: Any, heavy: Any) -> None:
    from apinode_admin_cli.output.deployer import HEALTH_MESSAGES, STATUS_NODES

    if app.output_format == "json":
        show_summary(app, {}, {"light": light, "heavy": heavy})
        return
    read: dict[str, str] = {}
    if isinstance(heavy.get("apiNodes"), list):
        from apinode_admin_cli.cli.deployer.node_serving import node_serving

        info = light.get("deploymentBasicInfo") or {}
        service_id = info.get("deployedServiceId") or info.get("publishedServiceId")
        urls = [str(n.get("url", "")).rstrip("/") for n in heavy["apiNodes"] if isinstance(n, dict)]
        read = node_serving(app, urls, str(service_id)) if service_id else {}
    record, messages, nodes = _status_parts(light, heavy, read)
    show_summary(app, record, None)
    if messages:
        app.term.echo("")
        show_rows(app, messages, HEALTH_MESSAGES, messages)
    if nodes:
        app.term.echo("")
        show_rows(app, nodes, STATUS_NODES, nodes)


@click.command("status")
@DEPLOYMENT
@click.option("--watch", is_flag=True, help=f"Redraw every {WATCH_SECONDS:g} s until Ctrl-C.")
@click.option("--exit-code", is_flag=True, help="Exit 8 when the health is not HEALTHY.")
@output_options
@pass_app
def deployments_status(app: App, deployment_id: str, watch: bool, exit_code: bool) -> None:
    """Show the health of a deployment, node by node.

    Health: HEALTHY, WARNING, OUT_OF_SYNC, UNHEALTHY, ERROR or UNKNOWN.

    Shows DSS's messages and where the service answers: for a static infrastructure, one row
    per API node. JSON output: {"light": ..., "heavy": ...} as DSS answered.

    \b
    Examples:
      apinode-admin deployer deployments status churn-prod
      apinode-admin deployer deployments status churn-prod --exit-code || echo unhealthy
      apinode-admin deployer deployments status churn-prod -o json | jq -r .heavy.health
    """
    import time

    check_id(deployment_id, "deployment id")
    with deployer(app) as dep:
        deployment = dep.get_deployment(deployment_id)
        while True:
            status = deployment.get_status()
            if watch and app.term.out_is_tty():
                app.term.echo("\x1b[H\x1b[2J", nl=False)
            _draw_status(app, status.get_light(), status.get_heavy())
            if not watch:
                break
            app.term.out.flush()
            time.sleep(WATCH_SECONDS)
            if not app.term.out_is_tty():
                app.term.echo("")
    if exit_code and status.get_heavy().get("health") != "HEALTHY":
        raise click.exceptions.Exit(ExitCode.DIFFERENCES)


@click.command("updates")
@DEPLOYMENT
@output_options
@pass_app
def deployments_updates(app: App, deployment_id: str) -> None:
    """Show the update history of a deployment.

    -v adds each update's log after the table; -o json prints every update in full.

    \b
    Examples:
      apinode-admin deployer deployments updates churn-prod
      apinode-admin deployer deployments updates churn-prod -o json | jq -r '.[-1].logs.lines[]'
    """
    from apinode_admin_cli.output.deployer import UPDATES

    check_id(deployment_id, "deployment id")
    verbose = bool(app.early.verbose)
    with deployer(app) as dep:
        deployment = dep.get_deployment(deployment_id)
        items = [u.get_raw() for u in deployment.list_updates()]
        full = []
        if app.output_format == "json" or verbose:
            full = [deployment.get_update(i.get("startTimestamp")).get_raw() for i in items]
    if app.output_format == "json":
        show_rows(app, [], UPDATES, full)
        return
    show_rows(app, items, UPDATES, items)
    for update in full:
        lines = (update.get("logs") or {}).get("lines") or []
        app.term.echo("")
        app.term.echo(f"# update started {update.get('startTimestamp')}: {update.get('status')}")
        for line in lines:
            app.term.echo(str(line))
