"""One emulator per data dir; corrupt files named at start; ids too long for a file name."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests
from dataikuapi import APINodeAdminClient

from apinode_admin_cli.emulator import start_emulator
from apinode_admin_cli.emulator.datadir import DataDirError


def serve(data, *extra):
    return subprocess.run(
        [sys.executable, "-m", "apinode_admin_cli.emulator", "--port", "0", "--data-dir",
         str(data), "--admin-key", "k", *extra],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def test_a_second_emulator_on_a_data_dir_in_use_refuses_to_start(tmp_path):
    with start_emulator(data_dir=tmp_path, admin_key="k") as node:
        APINodeAdminClient(node.uri, "k").create_service("kept")
        with pytest.raises(DataDirError, match=f"pid {os.getpid()}"):
            start_emulator(data_dir=tmp_path, admin_key="k")
        proc = serve(tmp_path)
        assert proc.returncode == 1 and proc.stdout == ""
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
        assert f"data dir {tmp_path} is in use by another emulator" in proc.stderr
        assert APINodeAdminClient(node.uri, "k").list_services()[0]["serviceId"] == "kept"
    with start_emulator(data_dir=tmp_path, admin_key="k") as node:  # free again once stopped
        assert APINodeAdminClient(node.uri, "k").list_services()[0]["serviceId"] == "kept"


@pytest.mark.parametrize(
    ("relative", "content", "words"),
    [
        ("state.json", "{not json", "not valid JSON"),
        ("state.json", '{"codeEnvs": 3}', "'codeEnvs' is not a list"),
        ("config/adminkeys.json", '{"keys": [{"label": "x"}]}', "neither a 'key' nor a 'hash'"),
        ("services/churn/service.json", '{"serviceId": "churn"', "not valid JSON"),
        ("services/churn/service.json", '{"serviceId": "other", "generations": {}}', "'other'"),
        ("metrics.json", "[1, 2", "not valid JSON"),
    ],
)
def test_a_corrupt_file_is_named_at_start(tmp_path, relative, content, words):
    with start_emulator(data_dir=tmp_path, admin_key="k") as node:
        APINodeAdminClient(node.uri, "k").create_service("churn")
    (tmp_path / relative).write_text(content)
    proc = serve(tmp_path)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "corrupt" in proc.stderr and str(tmp_path / relative) in proc.stderr
    assert words in proc.stderr
    with pytest.raises(DataDirError, match="corrupt"):  # not "in use": the lock was released
        start_emulator(data_dir=tmp_path, admin_key="k")
    (tmp_path / relative).unlink()
    start_emulator(data_dir=tmp_path, admin_key="k").stop()


def test_ids_too_long_for_a_file_name_still_work(tmp_path, make_archive):
    long_service, long_generation = "\U0001f600" * 60, "\u00e9" * 150  # 240 and 300 bytes
    with start_emulator(data_dir=tmp_path, admin_key="k") as node:
        admin = APINodeAdminClient(node.uri, "k")
        admin.create_service(long_service)
        archive = make_archive("short", version=long_generation)
        admin.service(long_service).import_generation_from_archive(str(archive))
        admin.service(long_service).switch_to_newest()
        answer = requests.post(f"{node.uri}/public/api/v1/{long_service}/score/predict",
                               json={"features": {}}, timeout=10)  # fmt: skip
        assert answer.status_code == 200 and answer.json()["generation"] == long_generation
    (folder,) = (tmp_path / "services").iterdir()
    assert folder.name == long_service  # 240 bytes: the id itself, as a node names it
    (gen_folder,) = (folder / "gens").iterdir()
    assert len(gen_folder.name.encode()) <= 255 and gen_folder.name.startswith("\u00e9" * 10)
    with start_emulator(data_dir=tmp_path, admin_key="k") as node:  # and it reloads
        gens = APINodeAdminClient(node.uri, "k").service(long_service).list_generations()
        assert [g["generationId"] for g in gens] == [long_generation]


def test_a_one_file_state_of_an_earlier_version_is_migrated(tmp_path):
    (tmp_path / "archives" / "churn").mkdir(parents=True)
    (tmp_path / "archives" / "churn" / "v1-ab12.zip").write_bytes(b"PK")
    old = {
        "schemaVersion": 1, "importSeq": 1, "codeEnvs": [], "modelCache": [],
        "keys": [{"id": "b0", "hash": "0" * 64, "label": "old", "createdBy": None,
                  "createdOn": 1, "expiry": None, "description": None}],
        "services": {"churn": {"enabled": True, "createdOn": 1, "mapping": None, "generations": {
            "v1": {"archive": "archives/churn/v1-ab12.zip", "createdOn": 2, "seq": 1,
                   "mounted": False, "codeEnvs": [], "endpoints": [], "errorRate": 0}}}},
    }  # fmt: skip
    (tmp_path / "state.json").write_text(json.dumps(old))
    with start_emulator(data_dir=tmp_path, admin_key="k") as node:
        admin = APINodeAdminClient(node.uri, "k")
        assert [g["generationId"] for g in admin.service("churn").list_generations()] == ["v1"]
        assert {k["label"] for k in admin.auth().list_keys()} == {"old", "bootstrap"}
        assert (tmp_path / "services" / "churn" / "gens" / "v1").is_dir()
        admin.service("churn").delete()
    assert not (tmp_path / "archives" / "churn" / "v1-ab12.zip").exists()
    assert "services" not in json.loads((tmp_path / "state.json").read_text())
