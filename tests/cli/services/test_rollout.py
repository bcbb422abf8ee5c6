"""`services rollout` on one node: steps, probes, rollback, dry run, archive, exit codes."""

from __future__ import annotations

import base64
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

SPLIT = {"v1": 0.75, "v0": 0.25}


def rollout(node_cli: RunCli, *args: str) -> Any:
    return node_cli("services", "rollout", "churn", *args)


def test_each_step_splits_the_rest_as_the_stable_mapping_did(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, probe_file: Path
) -> None:
    deploy(emulator, SPLIT, extra=("v2",))
    result = rollout(node_cli, "v2", "--probe", str(probe_file), "--endpoint", "score")
    check(result)
    assert mapping_bodies(emulator) == [
        {"v2": 0.1, "v1": 0.675, "v0": 0.225},
        {"v2": 0.5, "v1": 0.375, "v0": 0.125},
        {"v2": 1.0},
    ]
    assert mapping_of(emulator) == {"v2": 1.0}
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["STEP", "MAPPING", "PROBES", "RESULT"]
    assert lines[1].split() == ["10%", "v2", "10%", "v1", "67.5%", "v0", "22.5%", "3/3", "ok", "ok"]
    assert lines[3].split() == ["100%", "v2", "100%", "3/3", "ok", "ok"]
    assert lines[-1] == "v2"
    # Three probes after each of the three steps, all forced onto the new generation.
    sent = predictions(emulator)
    assert len(sent) == 9
    assert all(body["dispatch"] == {"forcedGeneration": "v2"} for body in sent)
    assert sent[2]["features"] == {"tenure": 40}
    assert "Step 50%: v2 50% v1 37.5% v0 12.5%; probes 3/3 ok; ok" in result.stderr


def test_json_lists_the_steps_and_the_generation_is_preloaded_first(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    result = rollout(node_cli, "v2", "--steps", "25%, 100", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == [
        {"step": 25, "mapping": {"v2": 0.25, "v1": 0.75}, "probes": None, "result": "ok"},
        {"step": 100, "mapping": {"v2": 1.0}, "probes": None, "result": "ok"},
    ]
    assert writes(emulator) == [
        "/admin/api/services/churn/generations/v2/preload",
        SET_MAPPING,
        SET_MAPPING,
    ]


def failing_at(step: int) -> float:
    """An errorRate whose first failure, three probes a step, falls in step ``step`` (0-based).

    Without a dispatch key the emulator fails exactly floor(n * R) of the first n predictions:
    the first failure is prediction ceil(1 / R).
    """
    return {0: 1 / 2, 1: 1 / 4, 2: 1 / 7}[step]


@pytest.mark.parametrize("step", [0, 1, 2])
def test_a_probe_failure_at_any_step_restores_exactly_the_stable_mapping(
    emulator: EmulatorHandle,
    deploy: Deploy,
    node_cli: RunCli,
    probe_file: Path,
    make_archive: Callable[..., Path],
    step: int,
) -> None:
    deploy(emulator, SPLIT)
    archive = make_archive("v2", errorRate=failing_at(step))
    args = ("--archive", str(archive), "--probe", str(probe_file), "--endpoint", "score")
    result = rollout(node_cli, "v2", *args, "-o", "json")
    check(result, ExitCode.ROLLED_BACK)
    assert mapping_of(emulator) == SPLIT
    assert mapping_bodies(emulator)[-1] == {"v0": 0.25, "v1": 0.75}
    assert len(mapping_bodies(emulator)) == step + 2  # each step up to the failed one, a restore
    items = json.loads(result.stdout)
    assert [item.get("result") for item in items] == ["ok"] * step + ["failed", None]
    assert items[step]["probes"] == {"ok": 2, "failed": 1}
    assert items[-1] == {"rolledBackTo": {"v0": 0.25, "v1": 0.75}}
    assert "rolled back to the stable mapping" in result.stderr
    assert "Emulated failure of generation 'v2'" in result.stderr


def test_failures_up_to_the_maximum_are_tolerated(
    emulator: EmulatorHandle,
    deploy: Deploy,
    node_cli: RunCli,
    probe_file: Path,
    make_archive: Callable[..., Path],
) -> None:
    deploy(emulator, SPLIT)
    archive = make_archive("v2", errorRate=0.25)  # predictions 4 and 8 fail: one per step
    args = ("--archive", str(archive), "--probe", str(probe_file), "--endpoint", "score")
    check(rollout(node_cli, "v2", *args, "--max-probe-failures", "0"), ExitCode.ROLLED_BACK)
    emulator.clear_received()
    result = rollout(node_cli, "v2", "--probe", str(probe_file), "--endpoint", "score",
                     "--max-probe-failures", "1")  # fmt: skip
    check(result)
    assert "2/3 ok" in result.stdout
    assert mapping_of(emulator) == {"v2": 1.0}


def test_a_probe_answered_with_an_http_error_rolls_back(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, probe_file: Path
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    emulator.add_fault(method="POST", path=PREDICT, status=404, count=1)
    result = rollout(node_cli, "v2", "--probe", str(probe_file), "--endpoint", "score")
    check(result, ExitCode.ROLLED_BACK)
    assert mapping_of(emulator) == {"v1": 1.0}
    assert result.stdout.splitlines()[1].split()[-2:] == ["ok", "failed"]
    assert result.stdout.splitlines()[-1].split() == ["rollback", "v1", "100%", "-", "restored"]
    assert "Injected fault: HTTP 404" in result.stderr


def test_a_refused_service_key_stops_the_probes_and_rolls_back(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, probe_file: Path
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    emulator.add_fault(method="POST", path=PREDICT, status=401, count=1)
    args = ("--probe", str(probe_file), "--endpoint", "score", "--max-probe-failures", "5")
    result = rollout(node_cli, "v2", *args)
    check(result, ExitCode.ROLLED_BACK)
    assert "the probes could not run" in result.stderr
    assert len(predictions(emulator)) == 1
    assert mapping_of(emulator) == {"v1": 1.0}


def test_a_step_that_does_not_apply_rolls_back(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    deploy(emulator, SPLIT, extra=("v2",))

    def fail_step_50(percent: int) -> None:
        if percent == 50:
            emulator.add_fault(method="POST", path=SET_MAPPING, status=500, count=1)

    at_event(monkeypatch, "step_started", fail_step_50)
    result = rollout(node_cli, "v2", "-o", "json")
    check(result, ExitCode.ROLLED_BACK)
    items = json.loads(result.stdout)
    assert [item.get("result") for item in items] == ["ok", "failed", None]
    assert "setting the mapping failed: Injected fault: HTTP 500" in items[1]["reason"]
    assert items[-1] == {"rolledBackTo": {"v0": 0.25, "v1": 0.75}}
    assert mapping_of(emulator) == SPLIT


@pytest.fixture
def restore_meeting(
    emulator: EmulatorHandle,
    deploy: Deploy,
    node_cli: RunCli,
    probe_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Any]:
    """Runs a rollout (SPLIT to v2) whose first probe fails and whose restores meet a fault.

    Call it with the fault's arguments (``status=500``, ``drop="mid-body"``) and how many
    restore requests meet it (``times``, 2 by default: both attempts); it returns the result.
    """

    def run(times: int = 2, **fault: Any) -> Any:
        deploy(emulator, SPLIT, extra=("v2",))
        emulator.add_fault(method="POST", path=PREDICT, status=500, count=1)
        at_event(
            monkeypatch,
            "rolling_back",
            lambda reason: emulator.add_fault(
                method="POST", path=SET_MAPPING, count=times, **fault
            ),
        )
        return rollout(node_cli, "v2", "--probe", str(probe_file), "--endpoint", "score")

    return run


def test_a_restore_that_fails_once_is_tried_again(
    emulator: EmulatorHandle, restore_meeting: Callable[..., Any]
) -> None:
    result = restore_meeting(times=1, status=500)
    check(result, ExitCode.ROLLED_BACK)
    assert mapping_of(emulator) == SPLIT
    assert mapping_bodies(emulator)[-2:] == [{"v1": 0.75, "v0": 0.25}] * 2
    assert "Restored v1 75% v0 25%" in result.stderr


def test_a_restore_that_fails_says_what_the_node_serves_and_exits_1(
    emulator: EmulatorHandle, restore_meeting: Callable[..., Any]
) -> None:
    result = restore_meeting(status=500)  # both attempts to restore fail
    check(result, ExitCode.FAILURE)
    assert mapping_of(emulator) == {"v2": 0.1, "v1": 0.675, "v0": 0.225}
    assert (
        "the node is left with v2 10% v1 67.5% v0 22.5% (restoring v1 75% v0 25% failed: "
        "Injected fault: HTTP 500)" in result.stderr
    )
    hint = "apinode-admin services set-mapping churn --entry v1=0.75 --entry v0=0.25"
    assert f"Hint: restore it by hand: {hint}" in result.stderr
    last = result.stdout.splitlines()[-1].split()
    assert last[:4] == ["rollback", "left", "with", "v2"] and last[-2:] == ["NOT", "restored"]


def test_a_restore_whose_answers_were_lost_may_have_worked_and_says_so(
    emulator: EmulatorHandle, restore_meeting: Callable[..., Any]
) -> None:
    # Both restores are applied, but their answers are cut: the tool cannot know which won.
    result = restore_meeting(drop="mid-body")
    check(result, ExitCode.FAILURE)
    assert mapping_of(emulator) == SPLIT
    assert (
        "the node is left with either v1 75% v0 25% or v2 10% v1 67.5% v0 22.5% (restoring"
        in result.stderr
    )


def test_dry_run_reads_but_writes_nothing(
    emulator: EmulatorHandle,
    deploy: Deploy,
    node_cli: RunCli,
    probe_file: Path,
    make_archive: Callable[..., Path],
) -> None:
    deploy(emulator, SPLIT)
    archive = make_archive("v2")
    args = ("--archive", str(archive), "--probe", str(probe_file), "--endpoint", "score")
    result = rollout(node_cli, "v2", *args, "--dry-run", "-o", "json")
    check(result)
    assert emulator.received and writes(emulator) == []
    assert [
        (item["step"], item["result"], item["probes"]) for item in json.loads(result.stdout)
    ] == [
        (10, "planned", None),
        (50, "planned", None),
        (100, "planned", None),
    ]
    assert json.loads(result.stdout)[1]["mapping"] == {"v2": 0.5, "v1": 0.375, "v0": 0.125}
    plain = rollout(node_cli, "v2", *args, "--dry-run")
    check(plain)
    assert plain.stdout.splitlines()[-1].split()[-1] == "planned"  # no generation id: not done
    assert writes(emulator) == []


def test_archive_is_imported_first(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    deploy(emulator, {"v1": 1.0})
    result = rollout(node_cli, "v2", "--archive", str(make_archive("v2")), "--steps", "100")
    check(result)
    assert [w.rsplit("/", 1)[-1] for w in writes(emulator)] == [
        "importFromArchive",
        "preload",
        "setMapping",
    ]
    assert result.stdout.splitlines()[-1] == "v2"
    # Run again: the generation is there, so the archive is not imported twice.
    emulator.clear_received()
    check(rollout(node_cli, "v2", "--archive", str(make_archive("v2")), "--steps", "100"))
    assert "importFromArchive" not in " ".join(writes(emulator))


def test_an_archive_of_another_generation_is_refused(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    deploy(emulator, {"v1": 1.0})
    result = rollout(node_cli, "v2", "--archive", str(make_archive("v3")))
    check(result, ExitCode.USAGE)
    assert "created generation 'v3', not 'v2'" in result.stderr
    assert "before any traffic moved" in result.stderr
    assert [w.rsplit("/", 1)[-1] for w in writes(emulator)] == ["importFromArchive"]
    assert mapping_of(emulator) == {"v1": 1.0}
    # An archive of a generation the service has already is refused the same way.
    result = rollout(node_cli, "v4", "--archive", str(make_archive("v1")))
    check(result, ExitCode.USAGE)
    assert "not 'v4'" in result.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("nope", "v2"), ExitCode.NOT_FOUND, "service 'nope' not found"),
        (("churn", "v9"), ExitCode.NOT_FOUND, "generation 'v9' not found"),
        (("churn", "v2", "--steps", "50,10,100"), ExitCode.USAGE, "must increase"),
        (("churn", "v2", "--steps", "10,50"), ExitCode.USAGE, "the last step must be 100"),
        (("churn", "v2", "--steps", "0,100"), ExitCode.USAGE, "from 1 to 100"),
        (("churn", "v2", "--steps", "10.5,100"), ExitCode.USAGE, "not a whole percentage"),
        (("churn", "v2", "--pause", "-1"), ExitCode.USAGE, "--pause"),
        (("churn", "v2", "--pause", "nan"), ExitCode.USAGE, "--pause"),
        (("churn", "v2", "--endpoint", "score"), ExitCode.USAGE, "give --probe FILE"),
        (("churn", "v2", "--probe", "PROBES"), ExitCode.USAGE, "--probe needs --endpoint"),
        (
            ("churn", "v2", "--probe", "/nonexistent", "--endpoint", "s"),
            ExitCode.USAGE,
            "cannot read",
        ),
        (("churn", "v2", "--archive", "/nonexistent.zip"), ExitCode.USAGE, "does not exist"),
    ],
)
def test_what_is_checked_before_anything_is_sent(
    emulator: EmulatorHandle,
    deploy: Deploy,
    node_cli: RunCli,
    probe_file: Path,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    args = tuple(str(probe_file) if a == "PROBES" else a for a in args)
    result = node_cli("services", "rollout", *args)
    check(result, code)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert writes(emulator) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"tenure": NaN}\n', "not valid JSON"),
        ("[1, 2]", "is not a JSON object of features"),
        ("\n\n", "is empty"),
        ('{"a": 1}\n{"a":', "line 2 of probe file"),
        ("[]", "holds no probe"),
    ],
)
def test_a_bad_probe_file_is_refused_before_anything_is_sent(
    emulator: EmulatorHandle,
    deploy: Deploy,
    node_cli: RunCli,
    tmp_path: Path,
    text: str,
    message: str,
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")
    result = rollout(node_cli, "v2", "--probe", str(path), "--endpoint", "score")
    check(result, ExitCode.USAGE)
    assert message in result.stderr
    assert emulator.received == []


def test_probes_can_come_from_stdin(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    args = ("--probe", "-", "--endpoint", "score", "--steps", "100")
    bad = node_cli("services", "rollout", "churn", "v2", *args, input='{"tenure":\n')
    check(bad, ExitCode.USAGE)
    assert "line 1 of the probes on stdin is not valid JSON" in bad.stderr
    assert writes(emulator) == []
    result = node_cli("services", "rollout", "churn", "v2", *args, input='[{"tenure": 7}]')
    check(result)
    assert [body["features"] for body in predictions(emulator)] == [{"tenure": 7}]
    assert result.stdout.splitlines()[-1] == "v2"


def test_a_disabled_service_or_one_without_traffic_is_refused(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    check(node_cli("services", "disable", "churn"))
    emulator.clear_received()
    result = rollout(node_cli, "v2")
    check(result, ExitCode.USAGE)
    assert "is disabled" in result.stderr and writes(emulator) == []
    check(node_cli("services", "create", "fresh"))
    check(node_cli("generations", "import", "fresh", str(make_archive("v1"))))
    emulator.clear_received()
    result = node_cli("services", "rollout", "fresh", "v1")
    check(result, ExitCode.USAGE)
    assert "serves no generation" in result.stderr and writes(emulator) == []


def test_a_service_key_echoed_by_a_failing_probe_is_never_shown(
    emulator: EmulatorHandle, deploy: Deploy, node_cli: RunCli, probe_file: Path
) -> None:
    deploy(emulator, {"v1": 1.0}, extra=("v2",))
    secret = "svc-key-0123456789abcdef"
    body = {"errorType": "Boom", "message": f"model crashed with key {secret}\x1b[31m"}
    args = ("--probe", str(probe_file), "--endpoint", "score", "--service-key", secret)
    for output in ("plain", "json"):
        emulator.add_fault(method="POST", path=PREDICT, status=500, body=body, count=1)
        result = rollout(node_cli, "v2", *args, "-o", output)
        check(result, ExitCode.ROLLED_BACK)
        assert secret not in result.stdout + result.stderr
        assert "model crashed with key" in result.stderr
        assert "\x1b[31m" not in result.stderr
        # The key did reach the node, as Basic auth.
        sent = [e for e in emulator.received if e["path"] == PREDICT]
        auth = {k.lower(): v for k, v in sent[-1]["headers"].items()}["authorization"]
        assert base64.b64decode(auth.split()[1]).decode().startswith(secret)
