"""The plan: a pure function of (desired state, node state) to the ordered list of writes."""

from __future__ import annotations

from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.state.check import key_path
from apinode_admin_cli.state.model import (
    Change,
    DesiredState,
    NodeState,
    Plan,
    ServiceSpec,
    ServiceState,
    describe_mapping,
    shares_equal,
)


class PlanError(UsageError):
    """The file cannot be applied to this node (a ``""`` generation the node lacks): exit 2."""


def compute_plan(desired: DesiredState, current: NodeState, prune: bool = False) -> Plan:
    """The changes that make ``current`` what ``desired`` says, in the order they must run.

    Order: create services, import generations, preload, set mapping or switch, enable or
    disable, then (``prune``) delete the services the file does not name. Raises PlanError,
    before anything is sent, when a generation declared ``""`` is missing on the node.
    """
    phases: dict[str, list[Change]] = {
        "create": [],
        "import": [],
        "preload": [],
        "activate": [],
        "toggle": [],
        "delete": [],
    }
    missing: list[str] = []
    for spec in desired.services:
        node = current.get(spec.service_id)
        if node is not None and node.generations is None:
            raise ValueError(f"the generations of {spec.service_id!r} were not read")
        missing.extend(_plan_service(spec, node, phases))
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise PlanError(
            f"{desired.source}: {missing[0]}{more}",
            hint='give its archive path instead of "", or import it on the node first',
        )
    managed = set(desired.service_ids())
    unmanaged = tuple(s.service_id for s in current.services if s.service_id not in managed)
    if prune:
        phases["delete"] = [Change(sid, "delete", "prune") for sid in unmanaged]
    changes = tuple(change for phase in phases.values() for change in phase)
    return Plan(changes=changes, unmanaged=unmanaged, prune=prune)


def _plan_service(
    spec: ServiceSpec, node: ServiceState | None, phases: dict[str, list[Change]]
) -> list[str]:
    sid = spec.service_id
    if node is None:
        phases["create"].append(Change(sid, "create"))
        # A new service is enabled, with no generation and no mapping, as a node creates it.
        node = ServiceState(service_id=sid, enabled=True, generations=())
    present = set(node.generation_ids())
    mounted = {g.generation_id for g in node.generations or () if g.mounted}
    missing = []
    for generation, path in spec.generations:
        if generation in present:
            continue  # present generations are never re-imported, whatever the path says
        if not path:
            where = key_path("services", sid, "generations", generation)
            missing.append(
                f'{where}: generation {generation!r} is declared "" (must already exist) '
                f"but service {sid!r} has no such generation on the node"
            )
            continue
        phases["import"].append(
            Change(sid, "import", f"{generation} from {path}", generation=generation, path=path)
        )
    for generation in spec.preload:
        if generation not in mounted:
            phases["preload"].append(Change(sid, "preload", generation, generation=generation))
    enabled = node.enabled
    current_mapping = node.mapping()
    if spec.mapping is not None and not shares_equal(spec.mapping, current_mapping):
        before = describe_mapping(current_mapping)
        if spec.active is not None:
            change = Change(sid, "switch", f"{before} -> {spec.active}", generation=spec.active)
        else:
            detail = f"{before} -> {describe_mapping(spec.mapping)}"
            change = Change(sid, "set-mapping", detail, mapping=spec.mapping)
        phases["activate"].append(change)
        # The node enables a service when it sets its mapping: no enable after it, but a
        # service that must stay disabled needs its disable afterwards.
        enabled = True
    if spec.enabled != enabled:
        phases["toggle"].append(Change(sid, "enable" if spec.enabled else "disable"))
    return missing
