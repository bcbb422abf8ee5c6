"""Drift: how the services of a fleet's nodes differ, computed from what each node reported.

Plain data in, plain data out: the caller reads each node (``state.read_node_state``) and
hands the states over; unreachable nodes are given as None. A service is consistent when every
reachable node has it, with the same ``enabled``, the same mapping (same generations, shares
within 1e-6) and the same set of generations.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from apinode_admin_cli.state.model import (
    NodeState,
    ServiceState,
    describe_mapping,
    shares_equal,
)


class ServiceDrift:
    """One service across the nodes: each reachable node's view, and what differs."""

    __slots__ = ("differences", "service_id", "views")

    def __init__(
        self, service_id: str, views: dict[str, Optional[ServiceState]], differences: list[str]
    ) -> None:
        self.service_id = service_id
        # node -> the service there (None: the node does not have it); reachable nodes only.
        self.views = views
        self.differences = differences

    @property
    def consistent(self) -> bool:
        return not self.differences

    def to_json(self) -> dict[str, Any]:
        return {
            "serviceId": self.service_id,
            "consistent": self.consistent,
            "differences": list(self.differences),
            "nodes": {node: _view_json(view) for node, view in self.views.items()},
        }


def compare(states: Mapping[str, Optional[NodeState]], order: Sequence[str]) -> list[ServiceDrift]:
    """Every service found on any reachable node, in order of first appearance."""
    reachable = [node for node in order if states.get(node) is not None]
    # A dict keeps the order of first appearance and answers `in` at once.
    service_ids: dict[str, None] = {}
    for node in reachable:
        for service in states[node].services:  # type: ignore[union-attr]
            service_ids.setdefault(service.service_id, None)
    drifts = []
    for service_id in service_ids:
        views = {node: states[node].get(service_id) for node in reachable}  # type: ignore[union-attr]
        drifts.append(ServiceDrift(service_id, views, _differences(list(views.values()))))
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
    if len({frozenset(v.generation_ids()) for v in present}) > 1:
        found.append("generations")
    return found


def compact(view: Optional[ServiceState]) -> str:
    """What one node serves, in a table cell: ``v2``, ``v1 90% v2 10%``, ``disabled (v2)``."""
    if view is None:
        return "missing"
    mapping = view.mapping()
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
        "mapping": dict(view.mapping()),
        "generations": view.generation_ids(),
    }


__all__ = ["ServiceDrift", "compact", "compare"]
