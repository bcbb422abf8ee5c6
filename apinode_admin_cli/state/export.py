"""A node's current state written as a state file (TOML text or the JSON structure)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from apinode_admin_cli.client.concurrency import DEFAULT_WORKERS
from apinode_admin_cli.errors import NotFoundError
from apinode_admin_cli.mapping import TOLERANCE
from apinode_admin_cli.state.current import read_node_state
from apinode_admin_cli.state.model import NodeState, ServiceState
from apinode_admin_cli.tomlwrite import toml_key, toml_table_header, toml_value

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient


def export_state(
    client: APINodeAdminClient,
    service_ids: Optional[Sequence[str]] = None,
    workers: int = DEFAULT_WORKERS,
) -> dict[str, Any]:
    """The node's state as a state file structure; ``service_ids`` limits it (unknown: exit 5)."""
    wanted = list(dict.fromkeys(service_ids)) if service_ids else None
    state = read_node_state(client, wanted, workers)
    return state_to_data(state, wanted)


def state_to_data(state: NodeState, service_ids: Optional[Sequence[str]] = None) -> dict[str, Any]:
    """``{"services": {ID: {...}}}`` for the given services (None: all, in the node's order).

    Archive paths are unknown to the node, so generations are ``""`` (they must exist); a
    mapping with one generation at 100% is written ``active``. Preloading is not exported: it is
    runtime state that a restart undoes, not configuration.
    """
    if service_ids is None:
        chosen = list(state.services)
    else:
        chosen = []
        for sid in service_ids:
            found = state.get(sid)
            if found is None:
                known = ", ".join(s.service_id for s in state.services) or "none"
                raise NotFoundError(
                    f"service {sid!r} not found on the node", hint=f"services on the node: {known}"
                )
            chosen.append(found)
    return {"services": {s.service_id: service_to_data(s) for s in chosen}}


def service_to_data(service: ServiceState) -> dict[str, Any]:
    """One service's table: ``enabled``, ``generations``, then ``active`` or ``mapping``."""
    if service.generations is None:
        raise ValueError(f"the generations of {service.service_id!r} were not read")
    table: dict[str, Any] = {"enabled": service.enabled}
    ids = service.generation_ids()
    if ids:
        table["generations"] = {g: "" for g in ids}
    mapping = service.mapping()
    if len(mapping) == 1 and abs(mapping[0][1] - 1) <= TOLERANCE:
        table["active"] = mapping[0][0]
    elif mapping:
        table["mapping"] = dict(mapping)
    return table


def dumps_state_toml(data: Mapping[str, Any]) -> str:
    """A state structure as TOML: one ``[services.ID]`` table per service, values inline."""
    services = data.get("services", {})
    if not services:
        return "[services]\n"
    blocks = []
    for sid, table in services.items():
        lines = [toml_table_header(("services", sid))]
        lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items())
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def dumps_state_json(data: Mapping[str, Any]) -> str:
    """A state structure as JSON text (indented, ends with a newline)."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
