"""Hypothesis strategies of the desired-state property tests: node states and state files."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from apinode_admin_cli.client import APINodeAdminClient

# Examples share the test's emulator, which build() empties first; each one makes real requests.
ON_EMULATOR = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SERVICES = ("s0", "s1", "s2", "s3")
GENERATIONS = ("g0", "g1", "g2")


def subsets(items: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    if not items:
        return st.just([])
    return st.lists(st.sampled_from(items), unique=True, max_size=len(items))


@st.composite
def shares(draw: Any, generations: list[str]) -> dict[str, Any]:
    """Shares over some of ``generations`` that sum to 1, as floats or percentage strings."""
    chosen = draw(st.lists(st.sampled_from(generations), unique=True, min_size=1))
    weights = [draw(st.integers(0, 5)) for _ in chosen]
    if not any(weights):
        weights[0] = 1
    total = sum(weights)
    as_text = draw(st.booleans())
    return {g: f"{100 * w / total}%" if as_text else w / total for g, w in zip(chosen, weights)}


@st.composite
def node_states(draw: Any) -> dict[str, dict[str, Any]]:
    """{service: {enabled, generations, mounted, mapping or None}} for some services."""
    node = {}
    for sid in draw(subsets(SERVICES)):
        gens = draw(subsets(GENERATIONS))
        mapping = draw(st.none() | shares(gens)) if gens else None
        node[sid] = {
            "enabled": draw(st.booleans()),
            "generations": gens,
            "mounted": draw(subsets(tuple(gens))),
            "mapping": mapping,
        }
    return node


@st.composite
def state_files(draw: Any, node: dict[str, Any], paths: dict[str, str]) -> dict[str, Any]:
    """A valid state structure; ``""`` only for generations the node has."""
    services = {}
    for sid in draw(subsets(SERVICES)):
        on_node = node.get(sid, {}).get("generations", [])
        declared = draw(subsets(GENERATIONS))
        table: dict[str, Any] = {}
        if draw(st.booleans()):
            table["enabled"] = draw(st.booleans())
        if declared:
            table["generations"] = {
                g: "" if g in on_node and draw(st.booleans()) else paths[g] for g in declared
            }
            kind = draw(st.sampled_from(["none", "active", "mapping"]))
            if kind == "active":
                table["active"] = draw(st.sampled_from(declared))
            elif kind == "mapping":
                table["mapping"] = draw(shares(declared))
            table["preload"] = draw(subsets(tuple(declared)))
        services[sid] = table
    return {"services": services}


def build(client: APINodeAdminClient, node: dict[str, Any], paths: dict[str, str]) -> None:
    """Empty the node, then give it exactly ``node``."""
    for row in client.list_services():
        client.service(row["serviceId"]).delete()
    for sid, spec in node.items():
        client.create_service(sid)
        service = client.service(sid)
        for gen in spec["generations"]:
            service.import_generation_from_archive(paths[gen])
        for gen in spec["mounted"]:
            service.preload_generation(gen)
        if spec["mapping"]:
            entries = [{"generation": g, "proba": p} for g, p in spec["mapping"].items()]
            for entry in entries:
                if isinstance(entry["proba"], str):
                    entry["proba"] = float(entry["proba"][:-1]) / 100
            service.set_generations_mapping({"entries": entries})
        if not spec["enabled"]:
            service.disable()
