"""`deployer deploy` and `deployer rollout` on the deployer emulator with two node emulators.

One world per module; each test leaves the deployment HEALTHY on v1, so they run in any order.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from support.cli import RunCli, check, clean_env, start_cli
from support.deployer_emulator import Emulators
from support.rollout import mapping_of

from apinode_admin_cli.client import DSSDeployerClient
from apinode_admin_cli.emulator import EmulatorHandle

DSS_KEY = "DSS-KEY-of-the-deploy-tests-77"
NODE_KEYS = ("node-one-admin-key-0101", "node-two-admin-key-0202")
PROBES = '{"tenure": 3}\n{"tenure": 7}\n'


def package(folder: Path, version: str, error_rate: float = 0.0) -> Path:
    """A service package whose ``predict`` endpoint fails ``error_rate`` of its predictions."""
    path = folder / f"{version}.zip"
    manifest = {"version": version, "endpoints": ["predict"], "errorRate": error_rate}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
    return path


class World:
    def __init__(self, deployer: Any, nodes: list[EmulatorHandle], files: Path) -> None:
        self.deployer = deployer
        self.nodes = nodes
        self.files = files
        self.env = {"APINODE_ADMIN_DSS_URI": deployer.uri, "APINODE_ADMIN_DSS_API_KEY": DSS_KEY}
        self.probes = files / "probes.jsonl"
        self.probes.write_text(PROBES)

    def deployment(self) -> Any:
        return DSSDeployerClient(self.deployer.uri, DSS_KEY).get_apideployer().get_deployment("d")

    def mapping(self) -> Any:
        return self.deployment().get_settings().get_raw()["generationsMapping"]

    def health(self) -> str:
        return str(self.deployment().get_status().get_health())

    def served(self) -> list[Any]:
        """What each node serves: {generation: share}."""
        return [mapping_of(node) for node in self.nodes]

    def writes(self) -> list[str]:
        return [
            f"{r['method']} {r['path']}"
            for r in self.deployer.received
            if r["method"] in ("PUT", "POST", "DELETE")
        ]

    def assert_on_v1(self) -> None:
        assert self.mapping() == {"mode": "SINGLE_GENERATION", "generation": "v1"}
        assert self.health() == "HEALTHY"
        assert self.served() == [{"v1": 1.0}, {"v1": 1.0}]


@pytest.fixture(scope="module")
def world(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    files = tmp_path_factory.mktemp("packages")
    versions = (("v1", 0.0), ("v2", 0.0), ("bad", 1.0))
    api = emulators.churn_on_dev([package(files, v, rate) for v, rate in versions])
    api.create_deployment("d", "churn", "dev", "v1").start_update().wait_for_result(30)
    yield World(emulators.deployer, emulators.nodes, files)


@pytest.fixture
def dcli(world: World, run_cli: RunCli) -> Iterator[RunCli]:
    def run(*args: str) -> Any:
        return run_cli(*args, env=world.env)

    world.deployer.clear_faults()
    yield run
    world.deployer.clear_faults()
    world.assert_on_v1()


def test_deploy_a_good_version_then_again_is_a_no_op(dcli: RunCli, world: World) -> None:
    probe = ("--probe", str(world.probes), "--endpoint", "predict")
    result = dcli("deployer", "deploy", "d", "v2", *probe)
    check(result)
    assert result.stdout.splitlines()[-1] == "v2"
    assert "100%" in result.stdout and "2/2" not in result.stdout  # 2 probes x 2 nodes
    assert "4/4 ok" in result.stdout
    assert "HEALTHY" in result.stderr
    assert world.served() == [{"v2": 1.0}, {"v2": 1.0}] and world.health() == "HEALTHY"
    world.deployer.clear_received()
    again = dcli("deployer", "deploy", "d", "v2", *probe)
    check(again)
    assert "nothing to do" in again.stderr
    assert world.writes() == []
    check(dcli("deployer", "deploy", "d", "v1"))


def test_a_version_failing_its_probes_is_rolled_back_exit_9(dcli: RunCli, world: World) -> None:
    result = dcli(
        "deployer", "deploy", "d", "bad", "--probe", str(world.probes), "--endpoint", "predict"
    )
    check(result, 9)
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[1][:2] == ["100%", "bad"] and rows[1][-1] == "failed"
    assert rows[2][0] == "rollback" and rows[2][-1] == "restored"
    assert "probes failed" in result.stderr and "rolled back to v1" in result.stderr
    # the finally of dcli proves v1 HEALTHY on both nodes


def test_dry_run_and_bad_input_send_nothing(dcli: RunCli, world: World) -> None:
    world.deployer.clear_received()
    plan = dcli("deployer", "rollout", "d", "v2", "--dry-run", "-o", "json")
    check(plan)
    steps = json.loads(plan.stdout)
    assert [s["step"] for s in steps] == [10, 50, 100]
    assert steps[0]["mapping"] == {"v2": 0.1, "v1": 0.9}
    assert {s["result"] for s in steps} == {"planned"}
    missing = dcli("deployer", "deploy", "d", "v9")
    check(missing, 5)
    assert "v9" in missing.stderr and missing.stdout == ""
    no_endpoint = dcli("deployer", "deploy", "d", "v2", "--probe", str(world.probes))
    check(no_endpoint, 2)
    assert world.writes() == []


def test_rollout_in_three_steps_with_probes(dcli: RunCli, world: World) -> None:
    result = dcli(
        "deployer", "rollout", "d", "v2", "--probe", str(world.probes), "--endpoint", "predict",
        "-o", "json",
    )  # fmt: skip
    check(result)
    steps = json.loads(result.stdout)
    assert [(s["step"], s["result"], s["probes"]) for s in steps] == [
        (p, "ok", {"ok": 4, "failed": 0}) for p in (10, 50, 100)
    ]
    assert steps[1]["mapping"] == {"v2": 0.5, "v1": 0.5}
    assert world.served() == [{"v2": 1.0}, {"v2": 1.0}]
    check(dcli("deployer", "deploy", "d", "v1"))


def test_rollout_rolls_back_on_a_failing_step(dcli: RunCli, world: World) -> None:
    result = dcli(
        "deployer", "rollout", "d", "bad", "--probe", str(world.probes), "--endpoint", "predict",
        "-o", "json",
    )  # fmt: skip
    check(result, 9)
    steps = json.loads(result.stdout)
    assert steps[0]["step"] == 10 and steps[0]["result"] == "failed"
    assert steps[-1] == {"rolledBackTo": {"v1": 1.0}}


def test_a_job_that_fails_is_rolled_back(dcli: RunCli, world: World) -> None:
    world.deployer.add_job_fault(mode="fail", count=1, message="disk full on node")
    result = dcli("deployer", "deploy", "d", "v2")
    check(result, 9)
    assert "disk full on node" in result.stderr


def test_a_failed_rollback_names_what_is_left_and_the_command(dcli: RunCli, world: World) -> None:
    world.deployer.add_job_fault(mode="fail", count=3, message="node disk full")
    result = dcli("deployer", "deploy", "d", "v2")
    check(result, 1)
    error = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert error and "set to v1 100% in the deployer, ERROR on its nodes" in error[0]
    hint = [line for line in result.stderr.splitlines() if line.startswith("Hint:")]
    assert hint and hint[0].endswith("finish it with: apinode-admin deployer deploy d v1")
    assert "NOT restored" in result.stdout
    check(dcli("deployer", "deploy", "d", "v1"))  # the hint's command finishes the job


@pytest.mark.skipif(sys.platform == "win32", reason="signals to a child process are POSIX")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize(
    ("fault", "moment"),
    [
        # While the update job runs (it would never end by itself).
        ({"mode": "hang"}, "  Updating deployment"),
        # The settings just saved: the update's request may be leaving, or not yet.
        ({"mode": "slow", "delayMs": 1500}, "Set v2"),
    ],
)
def test_a_stop_signal_rolls_back(
    world: World, tmp_path: Path, signum: int, code: int, fault: Any, moment: str
) -> None:
    world.deployer.add_job_fault(count=1, **fault)
    env = clean_env(tmp_path / "config", **world.env)
    proc = start_cli("deployer", "deploy", "d", "v2", env=env, text=True)
    assert proc.stderr is not None and proc.stdout is not None
    stderr = ""
    try:
        while moment not in stderr:
            line = proc.stderr.readline()
            assert line, f"the deploy ended before {moment!r}:\n{stderr}"
            stderr += line
        os.kill(proc.pid, signum)
        stdout, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr += rest
    assert proc.returncode == code, stderr
    assert "rolling back to the previous version" in stderr
    assert "rollback" in stdout and "restored" in stdout
    world.deployer.clear_faults()
    world.assert_on_v1()


def test_status_watch_follows_a_deploy(dcli: RunCli, world: World, tmp_path: Path) -> None:
    import threading
    import time

    env = clean_env(tmp_path / "config", **world.env)
    proc = start_cli("deployer", "deployments", "status", "d", "--watch", env=env, text=True)
    stdout = proc.stdout
    assert stdout is not None
    lines: list[str] = []

    def read() -> None:
        for line in stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while not any(line.startswith("version") and "v1" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        check(dcli("deployer", "deploy", "d", "v2"))
        while not any(line.startswith("version") and "v2" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
        reader.join(timeout=10)
    assert proc.returncode == 130
    check(dcli("deployer", "deploy", "d", "v1"))


def test_a_running_update_is_refused_then_an_unhealthy_deployment_is_updated(
    dcli: RunCli, world: World
) -> None:
    world.deployer.add_job_fault(mode="hang", count=1)
    job = world.deployment().start_update()
    world.deployer.clear_received()
    busy = dcli("deployer", "deploy", "d", "v2")
    check(busy, 6)
    assert job.job_id in busy.stderr and world.writes() == []
    job.abort()
    # the aborted update left the deployment in ERROR on v1: deploying v1 updates it again
    assert world.health() == "ERROR"
    again = dcli("deployer", "deploy", "d", "v1")
    check(again)
    assert "nothing to do" not in again.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="signals to a child process are POSIX")
def test_sigterm_during_a_rollout_pause_rolls_back(world: World, tmp_path: Path) -> None:
    env = clean_env(tmp_path / "config", **world.env)
    args = ("deployer", "rollout", "d", "v2", "--steps", "10,100", "--pause", "600")
    proc = start_cli(*args, env=env, text=True)
    assert proc.stderr is not None
    stderr = ""
    try:
        while "Waiting" not in stderr:
            line = proc.stderr.readline()
            assert line, f"the rollout ended before its pause:\n{stderr}"
            stderr += line
        assert [mapping_of(n) for n in world.nodes] == [{"v2": 0.1, "v1": 0.9}] * 2
        os.kill(proc.pid, signal.SIGTERM)
        stdout, rest = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, stderr + rest
    assert "Terminated: rolling back" in rest
    assert "10%" in stdout and "restored" in stdout
    world.assert_on_v1()
