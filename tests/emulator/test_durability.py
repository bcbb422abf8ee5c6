"""State survives restarts and kill -9; concurrent writes all land; SIGTERM stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from dataikuapi import APINodeAdminClient, APINodeClient

from apinode_admin_cli.emulator import start_emulator

KEY = "durability-key"


def spawn(args, cwd=None):
    """Start a server subprocess and return it with the URI from its one stdout line."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("APINODE_EMULATOR_ADMIN_KEY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    line = proc.stdout.readline()
    assert line.startswith("Emulator listening on "), (line, proc.stderr.read())
    return proc, line.split()[3], line


def test_restart_keeps_everything(tmp_path, make_archive):
    data = tmp_path / "data"
    env_dir = tmp_path / "env"
    env_dir.mkdir()
    model = tmp_path / "model.zip"
    model.write_bytes(b"m")
    mapping = {
        "entries": [
            {"generation": "v1", "proba": 0.25, "x": 1},
            {"generation": "v2", "proba": 0.75},
        ],
        "extra": {"kept": True},
    }
    with start_emulator(data_dir=data) as first:
        admin = APINodeAdminClient(first.uri, first.admin_key)
        admin.create_service("svc")
        for name in ("v1", "v2"):
            admin.service("svc").import_generation_from_archive(str(make_archive(name)))
        admin.service("svc").set_generations_mapping(mapping)
        admin.service("svc").preload_generation("v1")
        new_key = admin.auth().add_key(label="kept")["key"]
        admin.import_code_env_in_cache(str(env_dir), "python")
        admin.import_model_archive_in_cache(str(model))
        APINodeClient(first.uri, "svc").predict_record("ep", {"a": 1})
        before = {
            "services": admin.list_services(),
            "generations": admin.service("svc").list_generations(),
            "keys": admin.auth().list_keys(),
        }
        key = first.admin_key
    service = json.loads((data / "services" / "svc" / "service.json").read_text())
    assert service["mapping"] == mapping and service["serviceId"] == "svc"
    assert sorted(p.name for p in (data / "services" / "svc" / "gens").iterdir()) == ["v1", "v2"]
    assert stat.S_IMODE(os.stat(data / "admin-key").st_mode) == 0o600

    with start_emulator(data_dir=data) as second:
        assert second.admin_key == key and second.key_source == "file"
        admin = APINodeAdminClient(second.uri, second.admin_key)
        assert admin.list_services() == before["services"]
        assert admin.service("svc").list_generations() == before["generations"]
        assert admin.auth().list_keys() == before["keys"]
        assert APINodeAdminClient(second.uri, new_key).list_services()
        assert second.app.store.read()["services"]["svc"]["mapping"] == mapping
        metrics = admin.get_metrics()
        assert metrics["services"]["svc"]["endpoints"]["ep"]["requests"] == 1
        state = second.app.store.read()
        assert [e["name"] for e in state["codeEnvs"]] == ["env"]
        assert [m["archivePath"] for m in state["modelCache"]] == [str(model)]


def test_given_key_replaces_bootstrap_key(tmp_path):
    with start_emulator(data_dir=tmp_path, admin_key="one") as node:
        assert node.key_source == "given"
    with start_emulator(data_dir=tmp_path, admin_key="two") as node:
        assert requests.get(node.uri + "/admin/api/keys", auth=("one", "")).status_code == 401
        keys = requests.get(node.uri + "/admin/api/keys", auth=("two", "")).json()
        assert [k["label"] for k in keys] == ["bootstrap"]


def test_env_key_and_temp_dir_removed(monkeypatch):
    monkeypatch.setenv("APINODE_EMULATOR_ADMIN_KEY", "from-env")
    with start_emulator() as node:
        assert node.admin_key == "from-env" and node.data_dir.is_dir()
    assert not node.data_dir.exists()


def test_fifty_concurrent_creations(emulator, api):
    barrier = threading.Barrier(50)
    url = emulator.uri + "/admin/api/services"

    def create(i):
        barrier.wait()  # one client each, all at once
        body = {"serviceId": f"svc-{i:02d}"}
        return requests.post(url, json=body, auth=(emulator.admin_key, ""), timeout=10).status_code

    with ThreadPoolExecutor(50) as pool:
        statuses = list(pool.map(create, range(50)))
    assert statuses == [200] * 50
    listed = [s["serviceId"] for s in api("GET", "/admin/api/services").json()]
    assert listed == [f"svc-{i:02d}" for i in range(50)]


def _hammer(uri, prefix, acknowledged, stop, archive):
    session = requests.Session()
    session.auth = (KEY, "")
    i = 0
    while not stop.is_set():
        sid = f"{prefix}-{i}"
        try:
            if session.post(uri + "/admin/api/services", json={"serviceId": sid}, timeout=5).ok:
                acknowledged.append(sid)
            url = f"{uri}/admin/api/services/{sid}/generations/actions/importFromArchive"
            session.post(url, params={"filePath": archive}, timeout=5)
        except requests.RequestException:
            return
        i += 1


@pytest.mark.slow
def test_kill_dash_nine_leaves_consistent_state(tmp_path, make_archive):
    data = tmp_path / "data"
    archive = str(make_archive("v1"))
    acknowledged: list[str] = []
    for round_ in range(2):
        proc, uri, _ = spawn(
            [
                "apinode_admin_cli.emulator",
                "--port",
                "0",
                "--data-dir",
                str(data),
                "--admin-key",
                KEY,
            ]  # fmt: skip
        )
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_hammer, args=(uri, f"r{round_}t{t}", acknowledged, stop, archive)
            )
            for t in range(8)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.6)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        stop.set()
        for thread in threads:
            thread.join(10)
        proc.stdout.close()
        proc.stderr.close()

        on_disk = {  # every file parseable, never torn
            json.loads(path.read_text())["serviceId"]
            for path in (data / "services").glob("*/service.json")
        }
        assert set(acknowledged) <= on_disk
        with start_emulator(data_dir=data, admin_key=KEY) as node:
            listed = {s["serviceId"] for s in APINodeAdminClient(node.uri, KEY).list_services()}
            assert set(acknowledged) <= listed
            for sid, service in node.app.store.read()["services"].items():
                for gen_id, generation in service["generations"].items():
                    assert (data / generation["archive"]).is_file(), sid
                    assert (data / "services" / sid / "gens" / gen_id).is_dir(), sid
    assert len(acknowledged) > 20


@pytest.mark.slow
def test_serve_command_sigterm_lets_requests_finish(tmp_path):
    data = tmp_path / "data"
    proc, uri, line = spawn(
        ["apinode_admin_cli", "emulator", "serve", "--port", "0", "--data-dir", str(data)]
    )
    key = line.split("(admin key: ")[1].rstrip(")\n")
    assert (data / "admin-key").read_text().strip() == key
    auth = (key, "")
    requests.post(
        uri + "/__emulator__/faults", json={"path": "/isAlive", "delayMs": 700}, auth=auth
    )
    result = {}
    slow = threading.Thread(target=lambda: result.update(r=requests.get(uri + "/isAlive")))
    slow.start()
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    slow.join(10)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert result["r"].status_code == 200
    assert out == ""  # the only stdout line was read by spawn()
    assert key not in err and "/isAlive" in err

    proc, uri, line = spawn(["apinode_admin_cli.emulator", "--port", "0", "--data-dir", str(data)])
    try:
        assert "admin key in" in line and key not in line
        assert requests.get(uri + "/admin/api/services", auth=auth).json() == []
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0
