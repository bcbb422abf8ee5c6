"""``emulator deployer`` as a process: its start line, its key, bad options, kill -9 and restart."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests
from support.cli import check, default_sigint
from support.deployer_emulator import package

COMMAND = [sys.executable, "-m", "apinode_admin_cli", "emulator", "deployer"]
MODULE = [sys.executable, "-m", "apinode_admin_cli.emulator.deployer"]
LINE = re.compile(r"Deployer emulator listening on (http://127\.0\.0\.1:\d+)(.*)")


def start(command, *args):
    proc = subprocess.Popen(
        [*command, "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,  # noqa: PLW1509 (only a signal disposition is set)
    )
    line = proc.stdout.readline()
    match = LINE.fullmatch(line.strip())
    assert match, (line, proc.poll())
    return proc, match.group(1), match.group(2)


def test_help_has_examples(run_cli):
    result = run_cli("emulator", "deployer", "--help")
    check(result)
    assert "Examples:" in result.stdout and "--api-key" in result.stdout


def test_a_bad_port_is_a_usage_error_on_one_line(run_cli):
    result = run_cli("emulator", "deployer", "--port", "99999")
    check(result, 2)
    assert "--port" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_the_generated_key_is_printed_once_then_kept_in_the_data_dir(tmp_path: Path):
    data = tmp_path / "deployer"
    proc, uri, rest = start(COMMAND, "--data-dir", str(data))
    try:
        key = (data / "api-key").read_text().strip()
        assert rest == f" (API key: {key})"
        assert (data / "api-key").stat().st_mode & 0o777 == 0o600
        answer = requests.get(f"{uri}/public/api/api-deployer/stages", auth=(key, ""), timeout=10)
        assert answer.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    assert "GET /public/api/api-deployer/stages" in proc.stderr.read()
    proc, _, rest = start(COMMAND, "--data-dir", str(data))
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert rest == f" (API key in {data / 'api-key'})"


def test_state_survives_kill_9_and_a_running_update_is_then_failed(tmp_path: Path, nodes):
    data = tmp_path / "deployer"
    proc, uri, _ = start(MODULE, "--data-dir", str(data), "--api-key", "k")
    session = requests.Session()
    session.auth = ("k", "")
    base = f"{uri}/public/api/api-deployer"
    try:
        session.post(f"{base}/services", json={"publishedServiceId": "durable"}).raise_for_status()
        files = {"file": ("d1.zip", package("d1").getvalue())}
        session.post(f"{base}/services/durable/versions", files=files).raise_for_status()
        infra = {"id": "static", "stage": "Test", "type": "STATIC"}
        session.post(f"{base}/infras", json=infra).raise_for_status()
        settings = dict(infra, apiNodes=[{"url": nodes[0].uri, "adminAPIKey": nodes[0].admin_key}])
        session.put(f"{base}/infras/static/settings", json=settings).raise_for_status()
        body = {
            "deploymentId": "durable-on-static",
            "publishedServiceId": "durable",
            "infraId": "static",
            "version": "d1",
        }
        session.post(f"{base}/deployments", json=body).raise_for_status()
        session.post(f"{uri}/__emulator__/job-faults", json={"mode": "hang"}).raise_for_status()
        job = session.post(f"{base}/deployments/durable-on-static/actions/update").json()
        assert job["alive"] is True
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    proc, uri, _ = start(MODULE, "--data-dir", str(data), "--api-key", "k")
    base = f"{uri}/public/api/api-deployer"
    try:
        versions = session.get(f"{base}/services/durable").json()["packages"]
        assert [v["id"] for v in versions] == ["d1"]
        archive = session.get(f"{base}/services/durable/versions/d1")
        assert archive.content == package("d1").getvalue()
        last = session.get(f"{base}/deployments/durable-on-static/last-update").json()
        assert last["status"] == "FAILED" and "Interrupted" in last["logs"]["lines"][-1]
        status = session.get(f"{base}/deployments/durable-on-static/status").json()
        assert status["health"] == "ERROR"
        assert session.get(f"{uri}/public/api/futures/{job['jobId']}").status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def test_the_pytest_plugin_gives_a_running_deployer(apinode_deployer):
    answer = requests.get(
        f"{apinode_deployer.uri}/dip/publicapi/instance-info",
        auth=(apinode_deployer.api_key, ""),
        timeout=10,
    )
    assert answer.status_code == 200 and answer.json()["nodeType"] == "DEPLOYER"
    assert apinode_deployer.received[-1]["path"] == "/dip/publicapi/instance-info"


def test_a_data_dir_in_use_is_refused_in_one_line(run_cli, tmp_path: Path):
    data = tmp_path / "deployer"
    proc, _, _ = start(MODULE, "--data-dir", str(data), "--api-key", "k")
    try:
        result = run_cli("emulator", "deployer", "--port", "0", "--data-dir", str(data))
        check(result, 1)
        assert "in use by another emulator" in result.stderr and str(data) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_a_corrupt_state_file_is_named_and_left_alone(tmp_path: Path):
    data = tmp_path / "deployer"
    data.mkdir()
    (data / "deployer-state.json").write_text('{"services": ')
    result = subprocess.run(
        [*MODULE, "--port", "0", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1 and result.stdout == ""
    assert "corrupt deployer state file" in result.stderr and "Traceback" not in result.stderr
    assert (data / "deployer-state.json").read_text() == '{"services": '
