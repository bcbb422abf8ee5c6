"""What the ``services`` commands share: what a service serves, fetched per service."""

from __future__ import annotations

from typing import Any, Optional

from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.results import Rows
from apinode_admin_cli.errors import NotFoundError
from apinode_admin_cli.mapping import TOLERANCE

# Shares that sum to 1 within the mapping check's own tolerance are "all traffic".
_WHOLE = 1 - TOLERANCE


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
    from apinode_admin_cli.state.current import for_each_service

    return for_each_service(
        node.client, service_ids, lambda client, sid: _generations_or_none(node, sid)
    )


def wide_rows(node: Node, services: list[Any]) -> Rows:
    """The services with an ACTIVE column, their generations fetched concurrently."""
    from apinode_admin_cli.output.columns import SERVICES_WIDE, services_columns

    records = [s for s in services if isinstance(s, dict)]
    found = generations_of(node, [str(s.get("serviceId")) for s in records])
    rows = [dict(s, active=active_text(gens)) for s, gens in zip(records, found)]
    raw = [dict(s, generations=gens) for s, gens in zip(records, found)]
    return Rows(rows, services_columns(SERVICES_WIDE, rows), raw=raw)
