"""The plan as a pure function: each kind of change alone and together, order, tolerance."""

from __future__ import annotations

from typing import Any

import pytest

from apinode_admin_cli.state import (
    Change,
    GenerationState,
    NodeState,
    PlanError,
    ServiceState,
    compute_plan,
    parse_state_text,
)


def svc(
    sid: str,
    enabled: bool = True,
    gens: Any = (),
    mapped: Any = None,
    mounted: Any = (),
) -> ServiceState:
    """A service as the node reports it; ``mapped`` gives the shares by generation."""
    mapped = mapped or {}
    return ServiceState(
        sid,
        enabled,
        tuple(GenerationState(g, mapped.get(g, 0.0), g in mounted) for g in gens),
    )


def node(*services: ServiceState) -> NodeState:
    return NodeState(tuple(services))


def plan(text: str, current: NodeState, prune: bool = False) -> list[tuple[str, str, str]]:
    result = compute_plan(parse_state_text(text, "state file s.toml"), current, prune)
    return [(c.service, c.action, c.detail) for c in result.changes]


CHURN = '[services.churn]\ngenerations = { v1 = "/p/v1.zip", v2 = "/p/v2.zip" }\n'
CHURN_NODE = svc("churn", gens=("v1", "v2"), mapped={"v1": 1.0})


def test_same_state_has_no_changes() -> None:
    text = CHURN + "mapping = { v1 = 1 }\n"
    result = compute_plan(parse_state_text(text), node(CHURN_NODE))
    assert result.changes == () and not result.has_changes


def test_create() -> None:
    assert plan("[services.fraud]\n", node()) == [("fraud", "create", "")]


def test_import_missing_generation_only() -> None:
    current = node(svc("churn", gens=("v1",), mapped={"v1": 1.0}))
    assert plan(CHURN, current) == [("churn", "import", "v2 from /p/v2.zip")]


def test_import_change_carries_what_execution_needs() -> None:
    result = compute_plan(parse_state_text(CHURN), node(svc("churn", gens=("v1",))))
    assert result.changes == (
        Change("churn", "import", "v2 from /p/v2.zip", generation="v2", path="/p/v2.zip"),
    )


def test_generations_on_the_node_but_not_in_the_file_are_left_alone() -> None:
    current = node(svc("churn", gens=("v0", "v1", "v2", "v9"), mapped={"v9": 1.0}))
    assert plan(CHURN, current) == []


def test_empty_path_generation_present_is_fine() -> None:
    text = '[services.churn]\ngenerations = { v1 = "" }\nactive = "v1"\n'
    assert plan(text, node(svc("churn", gens=("v1",)))) == [("churn", "switch", "none -> v1")]


def test_empty_path_generation_missing_is_a_plan_error() -> None:
    text = '[services.churn]\ngenerations = { v1 = "", v2 = "" }\n[services.new]\n'
    text += 'generations = { g = "" }\n'
    with pytest.raises(PlanError) as info:
        compute_plan(parse_state_text(text, "state file s.toml"), node(svc("churn", gens=("v1",))))
    assert info.value.exit_code == 2
    assert str(info.value) == (
        "state file s.toml: services.churn.generations.v2: generation 'v2' is declared \"\" "
        "(must already exist) but service 'churn' has no such generation on the node "
        "(and 1 more)"
    )


def test_preload_unmounted_only() -> None:
    text = CHURN + 'preload = ["v1", "v2"]\n'
    current = node(svc("churn", gens=("v1", "v2"), mounted=("v1",)))
    assert plan(text, current) == [("churn", "preload", "v2")]


def test_set_mapping() -> None:
    text = CHURN + 'mapping = { v1 = 0.9, v2 = "10%" }\n'
    result = compute_plan(parse_state_text(text), node(CHURN_NODE))
    assert [(c.action, c.detail, c.mapping) for c in result.changes] == [
        ("set-mapping", "v1 100% -> v1 90% v2 10%", (("v1", 0.9), ("v2", 0.1)))
    ]


def test_switch_names_the_generation() -> None:
    result = compute_plan(parse_state_text(CHURN + 'active = "v2"\n'), node(CHURN_NODE))
    assert [(c.action, c.detail, c.generation) for c in result.changes] == [
        ("switch", "v1 100% -> v2", "v2")
    ]


def test_mapping_from_none() -> None:
    text = CHURN + "mapping = { v1 = 0.5, v2 = 0.5 }\n"
    current = node(svc("churn", gens=("v1", "v2")))
    assert plan(text, current) == [("churn", "set-mapping", "none -> v1 50% v2 50%")]


@pytest.mark.parametrize(
    ("wanted", "on_node"),
    [
        ("mapping = { v1 = 0.5, v2 = 0.5 }", {"v1": 0.5000001, "v2": 0.4999999}),
        ("mapping = { v2 = 0.5, v1 = 0.5 }", {"v1": 0.5, "v2": 0.5}),
        ('mapping = { v1 = "100%", v2 = 0 }', {"v1": 1.0}),
        ('active = "v2"', {"v2": 1.0}),
        ("mapping = { v2 = 1 }", {"v2": 0.9999995}),
    ],
)
def test_mappings_equal_within_tolerance(wanted: str, on_node: dict[str, float]) -> None:
    current = node(svc("churn", gens=("v1", "v2"), mapped=on_node))
    assert plan(CHURN + wanted + "\n", current) == []


@pytest.mark.parametrize(
    ("wanted", "on_node"),
    [
        ("mapping = { v1 = 0.5, v2 = 0.5 }", {"v1": 0.50001, "v2": 0.49999}),
        ('active = "v2"', {"v1": 0.000002, "v2": 0.999998}),
        ("mapping = { v1 = 1 }", {}),
    ],
)
def test_mappings_differ_beyond_tolerance(wanted: str, on_node: dict[str, float]) -> None:
    current = node(svc("churn", gens=("v1", "v2"), mapped=on_node))
    assert len(plan(CHURN + wanted + "\n", current)) == 1


def test_no_active_nor_mapping_leaves_activation_alone() -> None:
    assert plan(CHURN, node(svc("churn", gens=("v1", "v2")))) == []
    assert plan(CHURN, node(CHURN_NODE)) == []


# (service on the node: None = absent, else its enabled), wanted enabled, mapping changes?
# -> the enable/disable the plan ends with.
ENABLED_CASES = [
    (None, True, False, []),  # created enabled
    (None, True, True, []),
    (None, False, False, ["disable"]),
    (None, False, True, ["disable"]),  # the switch enabled it
    (True, True, False, []),
    (True, True, True, []),
    (True, False, False, ["disable"]),
    (True, False, True, ["disable"]),
    (False, True, False, ["enable"]),
    (False, True, True, []),  # the switch enabled it: no redundant enable
    (False, False, False, []),
    (False, False, True, ["disable"]),  # the switch enabled it: disable again
]


@pytest.mark.parametrize(("on_node", "wanted", "switch", "toggles"), ENABLED_CASES)
def test_enabled_interplay(on_node: Any, wanted: bool, switch: bool, toggles: list[str]) -> None:
    text = f'[services.s]\nenabled = {str(wanted).lower()}\ngenerations = {{ g = "/g.zip" }}\n'
    if switch:
        text += 'active = "g"\n'
    current = node() if on_node is None else node(svc("s", enabled=on_node, gens=("g",)))
    actions = [a for _, a, _ in plan(text, current)]
    assert [a for a in actions if a in ("enable", "disable")] == toggles
    if toggles:
        assert actions[-1] == toggles[0]  # after the switch


def test_unmanaged_are_reported_not_deleted() -> None:
    result = compute_plan(parse_state_text("[services.a]\n"), node(svc("a"), svc("z"), svc("b")))
    assert result.changes == () and result.unmanaged == ("z", "b")


def test_prune_deletes_unmanaged_last() -> None:
    current = node(svc("old", enabled=False), svc("a", gens=("g",)))
    text = '[services.a]\ngenerations = { g = "" }\nactive = "g"\n'
    assert plan(text, current, prune=True) == [
        ("a", "switch", "none -> g"),
        ("old", "delete", "prune"),
    ]


def test_every_kind_together_in_contract_order() -> None:
    text = """
[services.fraud]
enabled = false
active = "f1"
generations = { f1 = "/p/f1.zip" }
preload = ["f1"]

[services.churn]
generations = { v1 = "", v2 = "/p/v2.zip" }
mapping = { v1 = 0.9, v2 = 0.1 }
preload = ["v2"]

[services.quiet]
enabled = true
"""
    current = node(
        svc("churn", enabled=False, gens=("v1",), mapped={"v1": 1.0}, mounted=("v1",)),
        svc("gone"),
        svc("quiet", enabled=False),
    )
    assert plan(text, current, prune=True) == [
        ("fraud", "create", ""),
        ("fraud", "import", "f1 from /p/f1.zip"),
        ("churn", "import", "v2 from /p/v2.zip"),
        ("fraud", "preload", "f1"),
        ("churn", "preload", "v2"),
        ("fraud", "switch", "none -> f1"),
        ("churn", "set-mapping", "v1 100% -> v1 90% v2 10%"),
        ("fraud", "disable", ""),
        ("quiet", "enable", ""),
        ("gone", "delete", "prune"),
    ]


def test_unread_generations_are_a_programming_error() -> None:
    current = NodeState((ServiceState("churn", True, None),))
    with pytest.raises(ValueError, match="generations of 'churn' were not read"):
        compute_plan(parse_state_text(CHURN), current)
