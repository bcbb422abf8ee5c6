"""The rollout library without the CLI: steps, probes, the driver's events, pauses and Ctrl-C."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from support.rollout import Deploy, SimpleNode, mapping_bodies, mapping_of

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.mapping import validate_mapping
from apinode_admin_cli.rollout import (
    Listener,
    Rollout,
    RolloutInterrupted,
    RolloutPlan,
    created_generation,
    mapping_body,
    parse_probes,
    parse_steps,
    step_shares,
)
from apinode_admin_cli.rollout.listener import deferred_interrupts
from apinode_admin_cli.rollout.probes import MAX_PROBE_BYTES, MAX_PROBES


@pytest.mark.parametrize(
    ("text", "steps"),
    [("10,50,100", (10, 50, 100)), (" 5%, 25 ,100% ", (5, 25, 100)), ("100", (100,))],
)
def test_steps_parse(text: str, steps: tuple[int, ...]) -> None:
    assert parse_steps(text) == steps


@pytest.mark.parametrize("text", ["", "10,,100", "50,50,100", "10,50", "-5,100", "1e2", "10,٣,100"])
def test_bad_steps_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_steps(text)


def test_step_shares_keep_the_stable_proportions_and_sum_to_one() -> None:
    thirds = (("a", 1 / 3), ("b", 1 / 3), ("c", 1 / 3))
    for percent in range(1, 100):
        shares = step_shares(thirds, "new", percent)
        assert shares[0] == ("new", percent / 100)
        assert [g for g, _ in shares] == ["new", "a", "b", "c"]
        validate_mapping(mapping_body(shares))
    assert step_shares(thirds, "new", 100) == (("new", 1.0),)
    # The generation already in the stable mapping: the others share what it does not take.
    assert step_shares((("v1", 0.9), ("v2", 0.1)), "v2", 50) == (("v2", 0.5), ("v1", 0.5))
    assert step_shares((("v2", 1.0),), "v2", 10) == (("v2", 1.0),)


def test_probe_files_json_lines_or_array_of_features_or_records() -> None:
    lines = parse_probes('{"a": 1}\n\n{"features": {"b": 2}, "context": {"c": 3}}\n')
    assert lines == ({"features": {"a": 1}}, {"features": {"b": 2}, "context": {"c": 3}})
    array = parse_probes('[{"a": 1},\n {"features": {"a": 2}}]')
    assert array == ({"features": {"a": 1}}, {"features": {"a": 2}})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a": Infinity}', "not valid JSON"),
        ('{"a": 1e999}', "not valid JSON"),
        # Too deep to read on some Pythons, read and then refused on others (3.13): exit 2 alike.
        ("[" + "[" * 5000 + "]" * 5001, "not a valid JSON array|not a JSON object of features"),
        ('{"features": {"a": 1}, "context": 3}', "'context' must be a JSON object"),
        ("[" + ",".join(["{}"] * (MAX_PROBES + 1)) + "]", f"at most {MAX_PROBES}"),
        ('{"a": "' + "x" * MAX_PROBE_BYTES + '"}', "larger than"),
    ],
)
def test_bad_probe_files(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_probes(text)


class Recorder(Listener):
    """Every event, in order; ``on`` runs a callable at one event (to fail or interrupt)."""

    def __init__(self, on: Any = None) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.on = on or {}

    def _record(self, *event: Any) -> None:
        self.events.append(event)
        if event[0] in self.on:
            self.on[event[0]](*event[1:])

    def checked(self, label: str, stable: Any) -> None:
        self._record("checked", label, stable)

    def preloaded(self, label: str, generation: str) -> None:
        self._record("preloaded", label)

    def step_applied(self, percent: int, label: str, shares: Any) -> None:
        self._record("applied", percent, label)

    def probes_done(self, percent: int, label: str, outcome: Any) -> None:
        self._record("probes", percent, label, outcome.text())

    def pause_started(self, next_percent: int, seconds: float) -> None:
        self._record("pause", next_percent, seconds)

    def tick(self, next_percent: int, remaining: float) -> None:
        self._record("tick", round(remaining, 3))

    def pause_ended(self) -> None:
        self._record("resume")

    def rolling_back(self, reason: str) -> None:
        self._record("rolling back", reason)

    def restored(self, label: str, stable: Any) -> None:
        self._record("restored", label)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def two_nodes(
    emulator: EmulatorHandle, deploy: Deploy, tmp_path_factory: pytest.TempPathFactory
) -> list[SimpleNode]:
    from apinode_admin_cli.emulator import start_emulator

    other = start_emulator(data_dir=tmp_path_factory.mktemp("other"))
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    deploy(other, {"v1": 0.5, "v0": 0.5}, extra=("v2",))
    nodes = [SimpleNode(emulator, "a"), SimpleNode(other, "b")]
    yield nodes
    other.stop()


def test_each_step_reaches_every_node_then_probes_then_a_counted_pause(
    two_nodes: list[SimpleNode],
) -> None:
    plan = RolloutPlan("churn", "v2", steps=(50, 100), pause=2.5, endpoint="score",
                       probes=parse_probes('{"x": 1}'))  # fmt: skip
    clock = FakeTime()
    listener = Recorder()
    report = Rollout(two_nodes, plan, listener, sleep=clock.sleep, clock=lambda: clock.now).run()
    assert [step.result for step in report.steps] == ["ok", "ok"]
    assert listener.events == [
        ("checked", "a", (("v1", 1.0),)),
        ("checked", "b", (("v1", 0.5), ("v0", 0.5))),
        ("preloaded", "a"),
        ("preloaded", "b"),
        ("applied", 50, "a"),
        ("applied", 50, "b"),
        ("probes", 50, "a", "1/1 ok"),
        ("probes", 50, "b", "1/1 ok"),
        ("pause", 100, 2.5),
        ("tick", 2.5),
        ("tick", 1.5),
        ("tick", 0.5),
        ("resume",),
        ("applied", 100, "a"),
        ("applied", 100, "b"),
        ("probes", 100, "a", "1/1 ok"),
        ("probes", 100, "b", "1/1 ok"),
    ]
    assert clock.slept == [1.0, 1.0, 0.5]


def test_ctrl_c_while_waiting_restores_each_node_and_is_still_an_interrupt(
    two_nodes: list[SimpleNode],
) -> None:
    def interrupt(remaining: float) -> None:
        raise KeyboardInterrupt

    listener = Recorder(on={"tick": interrupt})
    plan = RolloutPlan("churn", "v2", steps=(10, 100), pause=60)
    with pytest.raises(RolloutInterrupted) as caught:
        Rollout(two_nodes, plan, listener, sleep=lambda s: None).run()
    assert isinstance(caught.value, KeyboardInterrupt)
    report = caught.value.report
    assert report.rolled_back_to == {"a": (("v1", 1.0),), "b": (("v1", 0.5), ("v0", 0.5))}
    assert listener.events[-4:] == [
        ("resume",),
        ("rolling back", "interrupted (Ctrl-C)"),
        ("restored", "a"),
        ("restored", "b"),
    ]
    assert mapping_of(two_nodes[1].handle) == {"v1": 0.5, "v0": 0.5}


def test_ctrl_c_before_any_mapping_changed_has_nothing_to_restore(
    two_nodes: list[SimpleNode],
) -> None:
    def interrupt(label: str) -> None:
        raise KeyboardInterrupt

    listener = Recorder(on={"preloaded": interrupt})
    with pytest.raises(KeyboardInterrupt) as caught:
        Rollout(two_nodes, RolloutPlan("churn", "v2"), listener).run()
    assert not isinstance(caught.value, RolloutInterrupted)
    assert all(mapping_bodies(node.handle) == [] for node in two_nodes)


def test_ctrl_c_during_the_rollback_still_restores_every_node(
    two_nodes: list[SimpleNode],
) -> None:
    def interrupt(remaining: float) -> None:
        raise KeyboardInterrupt

    def press_ctrl_c_again(label: str) -> None:
        if label == "a":
            os.kill(os.getpid(), signal.SIGINT)

    listener = Recorder(on={"tick": interrupt, "restored": press_ctrl_c_again})
    plan = RolloutPlan("churn", "v2", steps=(10, 100), pause=60)
    # Caught as any KeyboardInterrupt: the second one escaping must fail the test, not end pytest.
    with pytest.raises(KeyboardInterrupt) as caught:
        Rollout(two_nodes, plan, listener, sleep=lambda s: None).run()
    assert isinstance(caught.value, RolloutInterrupted)
    assert listener.events[-2:] == [("restored", "a"), ("restored", "b")]
    assert mapping_of(two_nodes[1].handle) == {"v1": 0.5, "v0": 0.5}


def test_a_second_ctrl_c_waits_for_the_restore() -> None:
    before = signal.getsignal(signal.SIGINT)
    with deferred_interrupts() as received:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the handler runs between bytecodes; give it a chance
            if received:
                break
    assert received == [signal.SIGINT]
    assert signal.getsignal(signal.SIGINT) is before


def test_created_generation_without_the_id_in_the_answer() -> None:
    class Service:
        def __init__(self, ids: list[str]) -> None:
            self.ids = ids

        def list_generations(self) -> list[dict[str, str]]:
            return [{"generationId": g} for g in self.ids]

    assert created_generation(Service(["v1", "v2"]), {"ok": True}, ["v1"], "v2") == "v2"
    assert created_generation(Service(["v1", "v3"]), None, ["v1"], "v2") == "v3"
    assert created_generation(Service(["v1"]), {}, ["v1"], "v2") is None
    assert created_generation(Service([]), {"generationId": "v7"}, [], "v2") == "v7"
