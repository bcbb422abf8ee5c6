"""Helpers of the state tests: a plain module, since a conftest is not importable by name."""

from __future__ import annotations

from typing import Any

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle


def writes(emulator: EmulatorHandle) -> list[tuple[str, str]]:
    """The journal's requests that could change something: (method, decoded path)."""
    return [(r["method"], r["decoded_path"]) for r in emulator.received if r["method"] != "GET"]


def node_summary(client: APINodeAdminClient) -> dict[str, Any]:
    """{service: (enabled, {generation: share}, mounted generations)}: a comparable snapshot."""
    summary = {}
    for row in client.list_services():
        gens = client.service(row["serviceId"]).list_generations()
        summary[row["serviceId"]] = (
            row["enabled"],
            {g["generationId"]: round(g["mapped"], 6) for g in gens},
            sorted(g["generationId"] for g in gens if g["mounted"]),
        )
    return summary
