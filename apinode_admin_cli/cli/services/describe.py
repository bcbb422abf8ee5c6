"""``services describe``: a service, its generations and what it serves."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Result, Rows, Sections
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.cli.services.common import active_text, mapped
from apinode_admin_cli.errors import NotFoundError


@click.command("describe")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def services_describe(app: App, service_id: str) -> None:
    """Show one service: enabled, mapping, and every generation with its share.

    -o json prints {"serviceId", "enabled", "mapping": {"entries": [...]} or null,
    "generations": [...]}, the generations as the node lists them.

    \b
    Examples:
      apinode-admin services describe churn
      apinode-admin services describe churn -o json | jq .mapping
    """
    from apinode_admin_cli.output.columns import GENERATIONS, SUMMARY
    from apinode_admin_cli.state.model import mapping_body

    def op(node: Node) -> Result:
        generations = node.client.service(service_id).list_generations()
        listed = [s for s in node.client.list_services() if isinstance(s, dict)]
        record = next((s for s in listed if s.get("serviceId") == service_id), None)
        if record is None:
            raise NotFoundError(f"service {service_id!r} not found", status=404)
        shares = mapped(generations)
        mapping = mapping_body(shares) if shares else None
        raw = dict(record, mapping=mapping, generations=generations)
        facts = [
            ("service", service_id),
            ("enabled", record.get("enabled")),
            ("mapping", active_text(generations) or "none: no generation takes traffic"),
            ("generations", len(generations)),
        ]
        if record.get("startAbortedReason"):
            facts.append(("error", record["startAbortedReason"]))
        summary = Rows([{"key": k, "value": v} for k, v in facts], SUMMARY, raw=None)
        return Sections([summary, Rows(generations, GENERATIONS, raw=None)], raw=raw)

    run(app, op)
