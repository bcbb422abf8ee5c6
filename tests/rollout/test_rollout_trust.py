"""Rollouts an operator can trust (issue 22): steps a node accepts, every node probed, honest
rollback reports. The library on real emulators; the signals are in tests/cli/services.
"""

from __future__ import annotations

from typing import Any

import pytest
from support.cli import closed_port_uri
from support.rollout import SET_MAPPING, Deploy, SimpleNode, mapping_bodies, mapping_of, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle, start_emulator
from apinode_admin_cli.mapping import validate_mapping
from apinode_admin_cli.rollout import (
    Listener,
    RestoreFailed,
    Rollout,
    RolloutFailed,
    RolloutPlan,
    mapping_body,
    parse_probes,
    step_shares,
)

STABLE = {"v1": 0.75, "v0": 0.25}


def test_tiny_stable_shares_still_give_steps_a_node_accepts(
    emulator: EmulatorHandle, deploy: Deploy
) -> None:
    # Shares the node accepts; rounded carelessly, the last one of a step went below zero.
    stable = {"g0": 0.9999999982845645, "g1": 7.797433101256807e-10}
    stable["g2"] = stable["g1"]
    stable["g3"] = 1 - sum(stable.values())
    deploy(emulator, stable, extra=("v2",))
    node = SimpleNode(emulator)
    report = Rollout([node], RolloutPlan("churn", "v2", steps=(25, 100))).run()
    assert [s.result for s in report.steps] == ["ok", "ok"]
    first = mapping_bodies(emulator)[0]
    assert all(share >= 0 for share in first.values()) and first["v2"] == 0.25
    assert mapping_of(emulator) == {"v2": 1.0}


def test_step_shares_are_never_negative_and_sum_to_one() -> None:
    stable = (("g0", 0.3297757592018683), ("g1", 0.4780223433734513))
    stable += (("g2", 0.19220189721206118), ("g3", 2.126192263136029e-10))
    for percent in range(1, 100):
        shares = step_shares(stable, "new", percent)
        assert all(share > 0 for _, share in shares), shares
        validate_mapping(mapping_body(shares))


class Recorder(Listener):
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def probes_started(self, percent: int, label: str) -> None:
        self.events.append(("probing", percent, label))

    def probes_done(self, percent: int, label: str, outcome: Any) -> None:
        self.events.append(("probed", percent, label, outcome.failed))

    def unchanged(self, generation: str) -> None:
        self.events.append(("unchanged", generation))


@pytest.fixture
def three_nodes(tmp_path_factory: pytest.TempPathFactory, deploy: Deploy) -> Any:
    handles = [
        start_emulator(data_dir=tmp_path_factory.mktemp(f"n{i}"), admin_key=f"key-{i}-0000")
        for i in range(3)
    ]
    try:
        for handle in handles:
            deploy(handle, STABLE, extra=("v2",))
        yield [SimpleNode(h, f"n{i}") for i, h in enumerate(handles)]
    finally:
        for handle in handles:
            handle.stop()


PREDICT = "/public/api/v1/churn/score/predict"


def test_probes_run_on_every_node_even_after_one_failed(three_nodes: list[SimpleNode]) -> None:
    three_nodes[1].handle.add_fault(method="POST", path=PREDICT, status=500, count=1)
    listener = Recorder()
    plan = RolloutPlan(
        "churn", "v2", steps=(10, 100), endpoint="score", probes=parse_probes('{"a": 1}')
    )
    with pytest.raises(RolloutFailed) as caught:
        Rollout(three_nodes, plan, listener).run()
    # n3 was probed too, and each probe run was announced before it ran.
    assert listener.events == [
        ("probing", 10, "n0"), ("probed", 10, "n0", 0),
        ("probing", 10, "n1"), ("probed", 10, "n1", 1),
        ("probing", 10, "n2"), ("probed", 10, "n2", 0),
    ]  # fmt: skip
    probes = caught.value.report.steps[0].probes
    assert probes is not None and (probes.ok, probes.failed) == (2, 1)
    assert "n1: probe 1" in caught.value.message
    assert all(mapping_of(n.handle) == STABLE for n in three_nodes)


def test_a_rollout_of_what_already_serves_everything_changes_nothing(
    three_nodes: list[SimpleNode],
) -> None:
    for node in three_nodes:
        node.client.service("churn").set_generations_mapping(mapping_body((("v2", 1.0),)))
        node.handle.clear_received()
    listener = Recorder()
    report = Rollout(three_nodes, RolloutPlan("churn", "v2"), listener).run()
    assert report.unchanged and report.steps == []
    assert listener.events == [("unchanged", "v2")]
    assert all(writes(n.handle) == [] for n in three_nodes)


def _break_restore(node: SimpleNode, **fault: Any) -> Listener:
    """Step 50% is refused by ``node`` (a 400); when the rollback begins, its restores fail."""

    class Breaker(Listener):
        def step_started(self, percent: int) -> None:
            if percent == 50:
                node.handle.add_fault(method="POST", path=SET_MAPPING, status=400, count=1)

        def rolling_back(self, reason: str) -> None:
            if "uri" in fault:
                node.client.close()
                node.client = APINodeAdminClient(fault["uri"], "k", retries=0)
            else:
                node.handle.add_fault(method="POST", path=SET_MAPPING, **fault)

    return Breaker()


def test_a_restore_that_never_reached_the_node_says_what_the_node_serves(
    three_nodes: list[SimpleNode],
) -> None:
    nodes = three_nodes[:2]
    listener = _break_restore(nodes[1], uri=closed_port_uri())
    with pytest.raises(RestoreFailed) as caught:
        Rollout(nodes, RolloutPlan("churn", "v2", steps=(10, 50, 100)), listener).run()
    report = caught.value.report
    # The step 50% was refused (400) and the restores never arrived: n1 serves step 10%.
    assert report.not_restored["n1"].startswith("left with v2 10% v1 67.5% v0 22.5% (")
    assert "either" not in caught.value.message
    assert report.rolled_back_to == {"n0": (("v1", 0.75), ("v0", 0.25))}
    assert mapping_of(nodes[0].handle) == STABLE


def test_a_restore_answered_404_says_the_service_is_gone(three_nodes: list[SimpleNode]) -> None:
    nodes = three_nodes[:2]
    listener = _break_restore(nodes[1], status=404, count=5)
    with pytest.raises(RestoreFailed) as caught:
        Rollout(nodes, RolloutPlan("churn", "v2", steps=(10, 50, 100)), listener).run()
    report = caught.value.report
    assert report.gone == ["n1"]
    assert report.not_restored["n1"].startswith("no longer serving churn: the service is gone")
    assert "n1 is no longer serving churn" in caught.value.message
    assert "n0" not in report.not_restored


def test_the_report_is_one_object_for_code(three_nodes: list[SimpleNode]) -> None:
    nodes = three_nodes[:2]
    listener = _break_restore(nodes[1], status=404, count=5)
    with pytest.raises(RestoreFailed) as caught:
        Rollout(nodes, RolloutPlan("churn", "v2", steps=(10, 50, 100)), listener).run()
    report = caught.value.report.to_dict()
    assert report["service"] == "churn" and report["generation"] == "v2"
    assert [s["step"] for s in report["steps"]] == [10, 50]
    assert report["rolledBack"] is True and report["gone"] == ["n1"]
    assert report["rolledBackTo"] == {"n0": {"v1": 0.75, "v0": 0.25}}
    assert set(report["notRestored"]) == {"n1"}
    assert report["stable"]["n1"] == {"v1": 0.75, "v0": 0.25}
