"""Drift: how the services of a fleet's nodes differ, computed from what each node reported.

Plain data in, plain data out: the caller reads each node (``state.read_node_state``) and
hands the states over; unreachable nodes are given as None.

A service is **converged** (``consistent``) when every node of the fleet was read and serves it
alike: present everywhere, the same ``enabled``, the same mapping (same generations, shares
within 1e-6). That is what ``state diff`` on each node checks against one file, so the two
agree: when ``state diff`` finds no change on any node, ``fleet status`` finds no difference.
Generations a node holds without serving them (an unmapped ``v3`` on one node) change no
answer; they are reported (``generationsDiffer``) but are not drift. A node that could not be
read makes every service ``unknown``, never the same.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from apinode_admin_cli.state.model import (
    NodeState,
    ServiceState,
    Shares,
    describe_mapping,
    shares_equal,
)

# The SAME cell: the nodes agree, differ, or could not all be read.
YES, NO, UNKNOWN = "yes", "no", "unknown"


class ServiceDrift:
    """One service across the nodes: each reachable node's view, and what differs."""

    __slots__ = ("differences", "generations_differ", "service_id", "unreached", "views")

    def __init__(
        self,
        service_id: str,
        views: dict[str, Optional[ServiceState]],
        differences: list[str],
        unreached: Sequence[str] = (),
        generations_differ: bool = False,
    ) -> None:
        self.service_id = service_id
        # node -> the service there (None: the node does not have it); reachable nodes only.
        self.views = views
        # What the reachable nodes serve differently: present, enabled, mapping.
        self.differences = differences
        # Nodes that could not be read: whatever they serve is unknown.
        self.unreached = list(unreached)
        self.generations_differ = generations_differ

    @property
    def consistent(self) -> bool:
        return not self.differences and not self.unreached

    @property
    def same(self) -> str:
        """``yes``, ``no`` or ``unknown`` (a node could not be read, the others agree)."""
        if self.differences:
            return NO
        return UNKNOWN if self.unreached else YES

    def same_text(self) -> str:
        """The SAME cell, with the reason: ``no (mapping)``, ``unknown (n2 not read)``."""
        if self.differences:
            return f"{NO} ({', '.join(self.differences)})"
        if self.unreached:
            return f"{UNKNOWN} ({', '.join(self.unreached)} not read)"
        return f"{YES} (other generations)" if self.generations_differ else YES

    def to_json(self) -> dict[str, Any]:
        return {
            "serviceId": self.service_id,
            "consistent": self.consistent,
            "same": self.same,
            "differences": list(self.differences),
            "unreached": list(self.unreached),
            "generationsDiffer": self.generations_differ,
            "nodes": {node: _view_json(view) for node, view in self.views.items()},
        }


def compare(states: Mapping[str, Optional[NodeState]], order: Sequence[str]) -> list[ServiceDrift]:
    """Every service found on any reachable node, in order of first appearance."""
    reachable = [node for node in order if states.get(node) is not None]
    unreached = [node for node in order if states.get(node) is None]
    # A dict keeps the order of first appearance and answers `in` at once.
    service_ids: dict[str, None] = {}
    for node in reachable:
        for service in states[node].services:  # type: ignore[union-attr]
            service_ids.setdefault(service.service_id, None)
    drifts = []
    for service_id in service_ids:
        views = {node: states[node].get(service_id) for node in reachable}  # type: ignore[union-attr]
        present = [v for v in views.values() if v is not None]
        drifts.append(
            ServiceDrift(
                service_id,
                views,
                _differences(list(views.values())),
                unreached,
                len({frozenset(v.generation_ids()) for v in present}) > 1,
            )
        )
    return drifts


def _differences(views: list[Optional[ServiceState]]) -> list[str]:
    found = []
    present = [v for v in views if v is not None]
    if len(present) != len(views):
        found.append("present")
    if len({v.enabled for v in present}) > 1:
        found.append("enabled")
    if any(not shares_equal(present[0].mapping(), v.mapping()) for v in present[1:]):
        found.append("mapping")
    return found


def in_order(shares: Shares) -> Shares:
    """The largest share first, ties by generation id: equal mappings read alike everywhere."""
    return tuple(sorted(shares, key=lambda pair: (-round(pair[1], 9), pair[0])))


def compact(view: Optional[ServiceState]) -> str:
    """What one node serves, in a table cell: ``v2``, ``v1 90% v2 10%``, ``disabled (v2)``."""
    if view is None:
        return "missing"
    mapping = in_order(view.mapping())
    if not mapping:
        serving = "no active generation"
    elif len(mapping) == 1:
        serving = mapping[0][0]
    else:
        serving = describe_mapping(mapping)
    if not view.enabled:
        return "disabled" if not mapping else f"disabled ({serving})"
    return serving


def _view_json(view: Optional[ServiceState]) -> dict[str, Any]:
    if view is None:
        return {"present": False}
    return {
        "present": True,
        "enabled": view.enabled,
        "mapping": dict(in_order(view.mapping())),
        "generations": view.generation_ids(),
    }


__all__ = ["NO", "UNKNOWN", "YES", "ServiceDrift", "compact", "compare", "in_order"]
