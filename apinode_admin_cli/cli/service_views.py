"""``services list --wide`` and ``services describe``: services with their generations.

The node lists services without their generations, so these views cost one more request per
service; ``--wide`` sends them concurrently. The default listing stays one request.
"""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.complete import service_ids
from apinode_admin_cli.cli.node import Node
from apinode_admin_cli.cli.options import output_options, pass_app
from apinode_admin_cli.cli.results import Result, Rows, Sections
from apinode_admin_cli.errors import NotFoundError

# requests keeps 10 connections per host; more threads would open and drop extra ones.
MAX_CONCURRENT_REQUESTS = 8
# Shares that sum to 1 within this are "all traffic" (the mapping check's own tolerance).
_WHOLE = 1 - 1e-6


def mapped(generations: Any) -> list[tuple[str, float]]:
    """``(generation, share)`` of the generations that take traffic, in the node's order."""
    found = []
    for gen in generations or []:
        share = gen.get("mapped") if isinstance(gen, dict) else None
        if isinstance(share, (int, float)) and not isinstance(share, bool) and share > 0:
            found.append((str(gen.get("generationId")), float(share)))
    return found


def active_text(generations: Any) -> str:
    """``v1`` when one generation takes all traffic, ``v1 90% v2 10%`` for a split, else ''."""
    from apinode_admin_cli.output.values import format_value

    shares = mapped(generations)
    if len(shares) == 1 and shares[0][1] >= _WHOLE:
        return shares[0][0]
    return " ".join(f"{gen} {format_value(share, 'share')}" for gen, share in shares)


def _generations_or_none(node: Node, service_id: str) -> Optional[list[Any]]:
    try:
        return list(node.client.service(service_id).list_generations())
    except NotFoundError:
        return None  # deleted since the listing: nothing to show


def generations_of(node: Node, service_ids: list[str]) -> list[Optional[list[Any]]]:
    """Each service's generations (None for one deleted meanwhile), asked concurrently."""
    if not service_ids:
        return []
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    workers = min(MAX_CONCURRENT_REQUESTS, len(service_ids))
    # In the caller's context (a fleet node's name for -v logs), one copy per fetch.
    caller = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(
            pool.map(lambda sid: caller.copy().run(_generations_or_none, node, sid), service_ids)
        )


def wide_rows(node: Node, services: list[Any]) -> Rows:
    """The services with an ACTIVE column, their generations fetched concurrently."""
    from apinode_admin_cli.output.columns import SERVICES_WIDE

    records = [s for s in services if isinstance(s, dict)]
    found = generations_of(node, [str(s.get("serviceId")) for s in records])
    rows = [dict(s, active=active_text(gens)) for s, gens in zip(records, found)]
    raw = [dict(s, generations=gens) for s, gens in zip(records, found)]
    return Rows(rows, SERVICES_WIDE, raw=raw)


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

    app.run(op)
