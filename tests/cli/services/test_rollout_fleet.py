"""`--fleet prod services rollout`: each step on every node, each node back to its own mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check
from support.rollout import (
    PREDICT,
    SET_MAPPING,
    Deploy,
    at_event,
    mapping_bodies,
    mapping_of,
    predictions,
    writes,
)

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ExitCode

# Each node keeps its own stable mapping: they differ here on purpose.
STABLE = {"n1": {"v1": 1.0}, "n2": {"v1": 0.5, "v0": 0.5}}


@pytest.fixture
def deployed(make_fleet: Callable[..., Any], deploy: Deploy) -> dict[str, EmulatorHandle]:
    """Fleet prod: n1 and n2, each serving churn with its own stable mapping."""
    fleet = make_fleet("n1", "n2")
    for name, handle in fleet.nodes.items():
        deploy(handle, STABLE[name], extra=tuple(g for g in ("v0", "v2") if g not in STABLE[name]))
    return dict(fleet.nodes)


def test_each_step_reaches_every_node_before_the_probes_run(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli, probe_file: Path
) -> None:
    args = ("--probe", str(probe_file), "--endpoint", "score", "-o", "json")
    result = fleet_cli("services", "rollout", "churn", "v2", *args)
    check(result)
    n1, n2 = deployed["n1"], deployed["n2"]
    assert mapping_bodies(n1) == [{"v2": 0.1, "v1": 0.9}, {"v2": 0.5, "v1": 0.5}, {"v2": 1.0}]
    assert mapping_bodies(n2) == [
        {"v2": 0.1, "v1": 0.45, "v0": 0.45},
        {"v2": 0.5, "v1": 0.25, "v0": 0.25},
        {"v2": 1.0},
    ]
    # n2 took step 10% before n1's probes of that step: the probes follow the whole step.
    first_probe_on_n1 = next(e["time"] for e in n1.received if e["path"] == PREDICT)
    first_step_on_n2 = next(e["time"] for e in n2.received if e["path"] == SET_MAPPING)
    assert first_step_on_n2 <= first_probe_on_n1
    assert len(predictions(n1)) == len(predictions(n2)) == 9
    items = json.loads(result.stdout)
    assert items[0] == {
        "step": 10,
        "mapping": {"n1": {"v2": 0.1, "v1": 0.9}, "n2": {"v2": 0.1, "v1": 0.45, "v0": 0.45}},
        "probes": {"ok": 6, "failed": 0},
        "result": "ok",
    }
    assert mapping_of(n1) == mapping_of(n2) == {"v2": 1.0}


def test_plain_output_names_each_node_where_the_mappings_differ(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli
) -> None:
    result = fleet_cli("services", "rollout", "churn", "v2", "--steps", "50,100")
    check(result)
    lines = result.stdout.splitlines()
    assert "n1: v2 50% v1 50%; n2: v2 50% v1 25% v0 25%" in lines[1]
    assert lines[2].split()[:3] == ["100%", "v2", "100%"]
    assert lines[-1] == "v2"
    assert "n2: churn serves v1 50% v0 50% (the stable mapping)" in result.stderr


def test_a_node_failing_mid_step_rolls_back_every_node(
    deployed: dict[str, EmulatorHandle],
    fleet_cli: RunCli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n1, n2 = deployed["n1"], deployed["n2"]

    def fail_n2_at_50(percent: int) -> None:
        if percent == 50:
            n2.add_fault(method="POST", path=SET_MAPPING, status=500, count=1)

    at_event(monkeypatch, "step_started", fail_n2_at_50)
    result = fleet_cli("services", "rollout", "churn", "v2", "-o", "json")
    check(result, ExitCode.ROLLED_BACK)
    assert mapping_of(n1) == STABLE["n1"]
    assert mapping_of(n2) == STABLE["n2"]
    # n1 took step 50% before n2 failed it; both got their own stable mapping back.
    assert mapping_bodies(n1)[-2:] == [{"v2": 0.5, "v1": 0.5}, {"v1": 1.0}]
    assert mapping_bodies(n2)[-1] == {"v1": 0.5, "v0": 0.5}
    items = json.loads(result.stdout)
    assert items[1]["result"] == "failed"
    assert items[1]["reason"].startswith("step 50%: n2: setting the mapping failed")
    assert items[-1] == {"rolledBackTo": {"n1": {"v1": 1.0}, "n2": {"v1": 0.5, "v0": 0.5}}}
    assert "n1: restored v1 100%" in result.stderr
    assert "n2: restored v1 50% v0 50%" in result.stderr
    assert "rolled back to the stable mapping on every node" in result.stderr


def test_a_node_failing_its_first_step_leaves_the_next_node_untouched(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli
) -> None:
    n1, n2 = deployed["n1"], deployed["n2"]
    n1.add_fault(method="POST", path=SET_MAPPING, status=500, count=1)
    result = fleet_cli("services", "rollout", "churn", "v2")
    check(result, ExitCode.ROLLED_BACK)
    assert mapping_bodies(n2) == []  # never touched, so nothing to restore there
    assert mapping_bodies(n1)[-1] == {"v1": 1.0}
    assert mapping_of(n1) == STABLE["n1"] and mapping_of(n2) == STABLE["n2"]


def test_a_probe_failing_on_one_node_rolls_back_both(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli, probe_file: Path
) -> None:
    deployed["n2"].add_fault(method="POST", path=PREDICT, status=500, count=1)
    args = ("--probe", str(probe_file), "--endpoint", "score")
    result = fleet_cli("services", "rollout", "churn", "v2", *args)
    check(result, ExitCode.ROLLED_BACK)
    assert "Warning: n2: probe 1: Injected fault: HTTP 500" in result.stderr
    assert result.stdout.splitlines()[1].split()[-3:] == ["5/6", "ok", "failed"]
    assert mapping_of(deployed["n1"]) == STABLE["n1"]
    assert mapping_of(deployed["n2"]) == STABLE["n2"]


def test_a_node_that_cannot_be_restored_is_named_with_what_it_serves(
    deployed: dict[str, EmulatorHandle],
    fleet_cli: RunCli,
    probe_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    n1, n2 = deployed["n1"], deployed["n2"]
    n1.add_fault(method="POST", path=PREDICT, status=500, count=1)
    at_event(
        monkeypatch,
        "rolling_back",
        lambda reason: n2.add_fault(method="POST", path=SET_MAPPING, status=500, count=2),
    )
    args = ("--probe", str(probe_file), "--endpoint", "score", "-o", "json")
    result = fleet_cli("services", "rollout", "churn", "v2", *args)
    check(result, ExitCode.FAILURE)
    assert mapping_of(n1) == STABLE["n1"]
    assert mapping_of(n2) == {"v2": 0.1, "v1": 0.45, "v0": 0.45}
    assert "n2 is left with v2 10% v1 45% v0 45%" in result.stderr
    assert "apinode-admin --profile n2 services set-mapping churn" in result.stderr
    tail = json.loads(result.stdout)[-1]
    assert tail["rolledBackTo"] == {"n1": {"v1": 1.0}}
    assert set(tail["notRestored"]) == {"n2"}


def test_the_rollback_row_names_the_restored_node_when_another_was_not(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    n2 = deployed["n2"]

    def break_n2_at_50(percent: int) -> None:
        if percent == 50:  # the step and both restores fail on n2
            n2.add_fault(method="POST", path=SET_MAPPING, status=500, count=3)

    at_event(monkeypatch, "step_started", break_n2_at_50)
    result = fleet_cli("services", "rollout", "churn", "v2")
    check(result, ExitCode.FAILURE)
    # One row per node, each with its own result: n1 restored, n2 not (named as such).
    assert [line.split() for line in result.stdout.splitlines()[-2:]] == [
        ["rollback", "n1:", "v1", "100%", "-", "restored"],
        # n2 refused the step 50% (an error answer): it serves the step 10%, nothing else.
        ["rollback", "n2:", "left", "with", "v2", "10%", "v1", "45%", "v0", "45%",
         "-", "NOT", "restored"],
    ]  # fmt: skip


def test_the_generation_must_be_on_every_node_or_the_archive_given(
    deployed: dict[str, EmulatorHandle],
    fleet_cli: RunCli,
    make_archive: Callable[..., Path],
) -> None:
    result = fleet_cli("services", "rollout", "churn", "v3")
    check(result, ExitCode.NOT_FOUND)
    assert "generation 'v3' not found in service 'churn' on n1" in result.stderr
    assert all(writes(h) == [] for h in deployed.values())
    archive = make_archive("v3")
    result = fleet_cli("services", "rollout", "churn", "v3", "--archive", str(archive))
    check(result)
    for handle in deployed.values():
        assert [w.rsplit("/", 1)[-1] for w in writes(handle)][:2] == [
            "importFromArchive",
            "preload",
        ]
        assert mapping_of(handle) == {"v3": 1.0}


def test_dry_run_on_a_fleet_writes_nothing_anywhere(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli
) -> None:
    result = fleet_cli("services", "rollout", "churn", "v2", "--dry-run", "-o", "json")
    check(result)
    items: list[dict[str, Any]] = json.loads(result.stdout)
    assert items[0]["mapping"]["n2"] == {"v2": 0.1, "v1": 0.45, "v0": 0.45}
    assert all(h.received and writes(h) == [] for h in deployed.values())


def test_probes_are_announced_and_a_rollout_of_what_already_serves_says_so(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli, probe_file: Path
) -> None:
    args = ("--probe", str(probe_file), "--endpoint", "score", "--steps", "50,100")
    result = fleet_cli("services", "rollout", "churn", "v2", *args)
    check(result)
    assert "n1: probing step 50% (3 probes)" in result.stderr
    assert "n2: probing step 100% (3 probes)" in result.stderr
    for handle in deployed.values():
        handle.clear_received()
    again = fleet_cli("services", "rollout", "churn", "v2", *args)
    check(again)
    assert "churn already sends all its traffic to v2 on every node" in again.stderr
    assert again.stdout.splitlines()[-1] == "v2"
    assert all(writes(handle) == [] for handle in deployed.values())


def test_a_restore_answered_404_names_the_node_and_suggests_no_set_mapping(
    deployed: dict[str, EmulatorHandle], fleet_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    n2 = deployed["n2"]

    def break_n2_at_50(percent: int) -> None:
        if percent == 50:
            n2.add_fault(method="POST", path=SET_MAPPING, status=400, count=1)

    at_event(monkeypatch, "step_started", break_n2_at_50)
    at_event(
        monkeypatch,
        "rolling_back",
        lambda reason: n2.add_fault(method="POST", path=SET_MAPPING, status=404, count=2),
    )
    result = fleet_cli("services", "rollout", "churn", "v2")
    check(result, ExitCode.FAILURE)
    assert "n2 is no longer serving churn: the service is gone" in result.stderr
    assert "--profile n2 services set-mapping" not in result.stderr
    assert "churn is gone from n2" in result.stderr
    assert result.stdout.splitlines()[-1].split()[-1] == "gone"
