"""`deployer` commands on the deployer emulator with two node emulators (one of each per module).

Each test leaves the shared deployment HEALTHY on v1 (or says what it changed), so the tests
run in any order.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from support.cli import RunCli, check, closed_port_uri
from support.deployer_emulator import Emulators

from apinode_admin_cli.client import APINodeAdminClient, DSSDeployerClient
from apinode_admin_cli.emulator import EmulatorHandle

DSS_KEY = "DSS-KEY-of-the-tests-0042"
NODE_KEYS = ("node-one-admin-key-0001", "node-two-admin-key-0002")


def package(folder: Path, version: str) -> Path:
    """An API service package as the emulators read it: a zip whose manifest names it."""
    path = folder / f"{version}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"version": version, "generation": version}))
        archive.writestr("endpoints/predict/model.json", '{"emulated": 1}')
    return path


class World:
    def __init__(self, deployer: Any, nodes: list[EmulatorHandle], files: Path) -> None:
        self.deployer = deployer
        self.nodes = nodes
        self.files = files
        self.env = {"APINODE_ADMIN_DSS_URI": deployer.uri, "APINODE_ADMIN_DSS_API_KEY": DSS_KEY}

    def api(self) -> Any:
        return DSSDeployerClient(self.deployer.uri, DSS_KEY).get_apideployer()


@pytest.fixture(scope="module")
def world(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    files = tmp_path_factory.mktemp("packages")
    api = emulators.churn_on_dev([package(files, v) for v in ("v1", "v2")])
    api.create_deployment("churn-dev", "churn", "dev", "v1").start_update().wait_for_result(30)
    yield World(emulators.deployer, emulators.nodes, files)


@pytest.fixture
def dcli(world: World, run_cli: RunCli) -> RunCli:
    """run_cli with the deployer's URI and key in the environment."""

    def run(*args: str, input: Any = None, env: Any = None) -> Any:
        return run_cli(*args, input=input, env={**world.env, **(env or {})})

    return run


def _json(result: Any) -> Any:
    check(result)
    return json.loads(result.stdout)


def test_stages_and_services_list_as_table_and_json(dcli: RunCli) -> None:
    table = dcli("deployer", "stages", "list")
    check(table)
    assert table.stdout.splitlines()[0].split() == ["STAGE", "DESCRIPTION"]
    assert "Production" in table.stdout
    services = _json(dcli("deployer", "services", "list", "-o", "json"))
    assert [s["serviceBasicInfo"]["id"] for s in services] == ["churn"]
    versions = dcli("deployer", "services", "versions", "churn", "-o", "tsv", "--no-headers")
    check(versions)
    assert [line.split("\t")[0] for line in versions.stdout.splitlines()] == ["v1", "v2"]


def test_create_and_delete_twice_in_a_row_say_conflict_then_not_found(dcli: RunCli) -> None:
    check(dcli("deployer", "services", "create", "scratch"))
    again = dcli("deployer", "services", "create", "scratch")
    check(again, 6)
    assert again.stdout == "" and len(again.stderr.strip().splitlines()) == 2  # Error + Hint
    check(dcli("deployer", "services", "delete", "scratch", "-y"))
    check(dcli("deployer", "services", "delete", "scratch", "-y"), 5)


def test_infras_show_never_prints_a_node_key(dcli: RunCli) -> None:
    shown = dcli("deployer", "infras", "show", "dev")
    check(shown)
    raw = _json(dcli("deployer", "infras", "show", "dev", "-o", "json"))
    assert {n["adminAPIKey"] for n in raw["settings"]["apiNodes"]} == {"******"}
    for key in NODE_KEYS:
        assert key not in shown.stdout + shown.stderr
    listed = dcli("deployer", "infras", "list", "-o", "plain", "--no-headers")
    assert listed.stdout.split() == ["dev", "STATIC", "Development", "2", "churn-dev"]


def test_add_node_and_remove_node_twice(dcli: RunCli, world: World, tmp_path: Path) -> None:
    check(dcli("deployer", "infras", "create", "spare", "--stage", "Test", "--type", "static"))
    key_file = tmp_path / "node.key"
    key_file.write_text("a-node-key-000777\n")
    url = world.nodes[0].uri
    add = ("deployer", "infras", "add-node", "spare", url, "--api-key-file", str(key_file))
    check(dcli(*add))
    check(dcli(*add), 6)
    check(dcli("deployer", "infras", "remove-node", "spare", url))
    check(dcli("deployer", "infras", "remove-node", "spare", url), 5)
    stdin = dcli("deployer", "infras", "add-node", "spare", url, "--api-key-stdin", input="k\n")
    check(stdin)
    assert "a-node-key-000777" not in stdin.stdout + stdin.stderr
    check(dcli("deployer", "infras", "delete", "spare", "-y"))


def test_deployments_list_shows_version_and_health(dcli: RunCli) -> None:
    table = dcli("deployer", "deployments", "list", "-o", "plain", "--no-headers")
    check(table)
    assert table.stdout.split() == ["churn-dev", "churn", "dev", "v1", "true", "HEALTHY"]
    raw = _json(dcli("deployer", "deployments", "list", "--json"))
    assert raw[0]["deploymentBasicInfo"]["id"] == "churn-dev"


def test_hand_change_is_out_of_sync_until_an_update(dcli: RunCli, world: World) -> None:
    node = world.nodes[1]
    with APINodeAdminClient(node.uri, node.admin_key) as admin:
        admin.service("churn").disable()
    status = dcli("deployer", "deployments", "status", "churn-dev", "--exit-code")
    check(status, 8)
    assert "OUT_OF_SYNC" in status.stdout and node.uri in status.stdout
    heavy = _json(dcli("deployer", "deployments", "status", "churn-dev", "-o", "json"))["heavy"]
    assert heavy["health"] == "OUT_OF_SYNC"
    update = dcli("deployer", "deployments", "update", "churn-dev")
    check(update)
    assert "Updated deployment churn-dev" in update.stderr
    check(dcli("deployer", "deployments", "status", "churn-dev", "--exit-code"))


def test_set_version_then_update_moves_every_node(dcli: RunCli, world: World) -> None:
    try:
        check(dcli("deployer", "deployments", "set-version", "churn-dev", "v2"))
        # Settings only: the nodes still serve v1, and the deployer says so.
        check(dcli("deployer", "deployments", "status", "churn-dev", "--exit-code"), 8)
        answer = _json(dcli("deployer", "deployments", "update", "churn-dev", "-o", "json"))
        assert answer["result"]["nbNOKNodes"] == 0
        for node in world.nodes:
            with APINodeAdminClient(node.uri, node.admin_key) as admin:
                generations = admin.service("churn").list_generations()
            assert "v2" in {g["generationId"] for g in generations}
    finally:
        check(dcli("deployer", "deployments", "set-version", "churn-dev", "v1"))
        check(dcli("deployer", "deployments", "update", "churn-dev"))


def test_an_update_that_never_ends_stops_waiting_with_exit_7(dcli: RunCli, world: World) -> None:
    world.deployer.add_job_fault(mode="hang")
    result = dcli("deployer", "deployments", "update", "churn-dev", "--wait-timeout", "0.5")
    check(result, 7)
    assert "still running after 0.5 s" in result.stderr
    assert "deployments status churn-dev --watch" in result.stderr
    for future in world.api().client.list_futures(as_objects=True):
        future.abort()
    check(dcli("deployer", "deployments", "update", "churn-dev"))


def test_a_failed_update_exits_1_with_the_log_tail(dcli: RunCli, world: World) -> None:
    world.deployer.add_job_fault(mode="fail", message="node refused the version")
    result = dcli("deployer", "deployments", "update", "churn-dev")
    check(result, 1)
    assert "failed" in result.stderr and "node refused the version" in result.stderr
    assert "  | " in result.stderr  # the log tail
    assert result.stdout == ""
    check(dcli("deployer", "deployments", "status", "churn-dev", "--exit-code"), 8)
    check(dcli("deployer", "deployments", "update", "churn-dev"))


def test_no_wait_prints_the_job_and_updates_has_the_history(dcli: RunCli, world: World) -> None:
    started = dcli("deployer", "deployments", "update", "churn-dev", "--no-wait")
    check(started)
    job = started.stdout.strip()
    world.api().client.get_future(job).wait_for_result(30)
    history = _json(dcli("deployer", "deployments", "updates", "churn-dev", "-o", "json"))
    assert history and all("logs" in h for h in history)
    table = dcli("deployer", "deployments", "updates", "churn-dev", "-v")
    check(table)
    assert table.stdout.splitlines()[0].split() == ["STARTED", "TYPE", "STATUS"]
    assert "# update started" in table.stdout


def test_delete_needs_disable_first_and_removes_the_service(dcli: RunCli, world: World) -> None:
    api = world.api()
    api.create_deployment("churn-tmp", "churn", "dev", "v1")
    refused = dcli("deployer", "deployments", "delete", "churn-tmp", "-y")
    check(refused, 2)
    assert "--disable-first" in refused.stderr
    check(dcli("deployer", "deployments", "delete", "churn-tmp", "--disable-first", "-y"))
    check(dcli("deployer", "deployments", "delete", "churn-tmp", "--disable-first", "-y"), 5)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("deployer", "infras", "create", "x", "--stage", "Test", "--type", "FOO"), 2),
        (("deployer", "services", "upload", "churn", "/nonexistent.zip"), 2),
        (("deployer", "infras", "add-node", "dev", "ftp://n:1", "--api-key-stdin"), 2),
        (("deployer", "deployments", "set-version", "churn-dev", " v1"), 2),
        (("deployer", "deployments", "delete", "churn-dev"), 2),  # no -y off a terminal
    ],
)
def test_bad_input_is_refused_with_nothing_sent(
    dcli: RunCli, world: World, args: tuple[str, ...], code: int
) -> None:
    world.deployer.clear_received()
    result = dcli(*args, input="key\n")
    check(result, code)
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert [r for r in world.deployer.received if r.get("method") != "GET"] == []


def test_upload_of_a_file_that_is_not_a_zip(dcli: RunCli, world: World, tmp_path: Path) -> None:
    bogus = tmp_path / "v9.zip"
    bogus.write_text("not a zip")
    world.deployer.clear_received()
    result = dcli("deployer", "services", "upload", "churn", str(bogus))
    check(result, 2)
    assert "not a zip archive" in result.stderr
    assert world.deployer.received == []


def test_settings_missing_or_deployer_down(run_cli: RunCli) -> None:
    missing = run_cli("deployer", "stages", "list")
    check(missing, 3)
    assert "--dss-uri" in missing.stderr
    env = {"APINODE_ADMIN_DSS_URI": closed_port_uri(), "APINODE_ADMIN_DSS_API_KEY": DSS_KEY}
    down = run_cli("deployer", "deployments", "list", "--retries", "1", env=env)
    check(down, 7)
    assert "is DSS running" in down.stderr and DSS_KEY not in down.stderr


def test_a_slow_deployer_times_out_with_exit_7(dcli: RunCli, world: World) -> None:
    world.deployer.add_fault(path="/dip/publicapi/api-deployer/stages", delayMs=3000, count=2)
    try:
        slow = dcli("deployer", "stages", "list", "--timeout", "0.5", "--retries", "1")
        check(slow, 7)
        assert "did not answer within 0.5 s" in slow.stderr
    finally:
        world.deployer.clear_faults()


def test_wrong_key_is_exit_4_and_the_key_never_shows(dcli: RunCli) -> None:
    result = dcli(
        "deployer", "stages", "list", "-v", env={"APINODE_ADMIN_DSS_API_KEY": "wrong-key-1234"}
    )
    check(result, 4)
    assert "wrong-key-1234" not in result.stdout + result.stderr
    assert "--dss-api-key-file" in result.stderr


def test_verbose_never_logs_the_dss_key(dcli: RunCli) -> None:
    result = dcli("deployer", "deployments", "show", "churn-dev", "-v")
    check(result)
    assert "[http]" in result.stderr and "/dip/publicapi/api-deployer/deployments" in result.stderr
    assert DSS_KEY not in result.stdout + result.stderr


def test_completion_offers_live_ids_from_the_deployer(world: World, tmp_path: Path) -> None:
    from support.cli import clean_env, complete

    env = clean_env(tmp_path, **world.env)

    def offered(line: str) -> list[str]:
        proc = complete(line, env=env)
        assert proc.returncode == 0, proc.stderr
        return [row.split(",", 1)[1] for row in proc.stdout.splitlines() if "," in row]

    assert offered("apinode-admin deployer deployments status ch") == ["churn-dev"]
    assert offered("apinode-admin deployer services versions ") == ["churn"]
    assert "dev" in offered("apinode-admin deployer infras show ")
    assert offered("apinode-admin deployer deployments create x --infra d") == ["dev"]
    wrong = {**env, "APINODE_ADMIN_DSS_API_KEY": "wrong-key-9999"}
    proc = complete("apinode-admin deployer deployments status ", env=wrong)
    assert proc.returncode == 0 and proc.stdout.strip() == "" and proc.stderr == ""


def test_status_watch_redraws_until_ctrl_c(world: World, tmp_path: Path) -> None:
    import signal
    import time

    from support.cli import clean_env, start_cli

    env = clean_env(tmp_path, **world.env)
    proc = start_cli("deployer", "deployments", "status", "churn-dev", "--watch", env=env)
    assert proc.stdout is not None
    lines: list[bytes] = []
    deadline = time.monotonic() + 20
    # Off a terminal, each redraw is a new block: wait for the second one.
    while sum(line.startswith(b"health") for line in lines) < 2 and time.monotonic() < deadline:
        lines.append(proc.stdout.readline())
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert sum(line.startswith(b"health") for line in lines) == 2
    assert b"Interrupted." in err and b"Traceback" not in err


def test_test_queries_run_through_the_deployer(dcli: RunCli, tmp_path: Path) -> None:
    queries = tmp_path / "q.json"
    queries.write_text('[{"features": {"x": 1}}, {"q": {"features": {"x": 2}}}]')
    args = ("deployer", "deployments", "test", "churn-dev", "--endpoint", "predict")
    answer = _json(dcli(*args, "--queries", str(queries), "-o", "json"))
    assert [r["ok"] for r in answer["responses"]] == [True, True]
    table = dcli(*args, "--queries", "-", input='{"features": {"x": 3}}')
    check(table)
    assert table.stdout.splitlines()[0].split() == ["KEY", "VALUE"]
    queries.write_text('{"not": "a list"')
    bad = dcli(*args, "--queries", str(queries))
    check(bad, 2)
    assert "is not JSON" in bad.stderr


def test_ctrl_c_stops_waiting_and_leaves_the_job_running(world: World, tmp_path: Path) -> None:
    import signal
    import time

    from support.cli import clean_env, start_cli

    world.deployer.add_job_fault(mode="hang")
    env = clean_env(tmp_path, **world.env)
    proc = start_cli("deployer", "deployments", "update", "churn-dev", env=env)
    assert proc.stderr is not None
    deadline = time.monotonic() + 20
    line = b""
    # The progress line: the command is waiting for the job.
    while not line.startswith(b"  ") and time.monotonic() < deadline:
        line = proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert b"goes on in DSS" in err and b"Interrupted." in err and b"Traceback" not in err
    running = world.api().client.list_futures(as_objects=True)
    assert running
    for future in running:
        future.abort()
    check_update = DSSDeployerClient(world.deployer.uri, DSS_KEY).get_apideployer()
    check_update.get_deployment("churn-dev").start_update().wait_for_result(30)
