"""``--dss-version``: keys in clear before 13.1, hashed with an id from 13.1; the header says it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import requests
from dataikuapi import APINodeAdminClient
from dataikuapi.utils import DataikuException

from apinode_admin_cli.emulator import start_emulator


def test_before_13_1_keys_are_listed_in_clear_without_id(tmp_path):
    with start_emulator(data_dir=tmp_path, dss_version="12.6") as node:
        admin = APINodeAdminClient(node.uri, node.admin_key)
        created = admin.auth().add_key(label="ansible")
        assert "id" not in created and len(created["key"]) == 32
        listed = admin.auth().list_keys()
        assert {k["label"]: k["key"] for k in listed} == {
            "bootstrap": node.admin_key,
            "ansible": created["key"],
        }
        assert all("id" not in k for k in listed)
        by_id = requests.delete(node.uri + "/admin/api/keys/whatever/key", timeout=10,
                                auth=(node.admin_key, ""))  # fmt: skip
        assert by_id.status_code == 404 and "No such endpoint" in by_id.json()["message"]
        admin.auth().delete_key(created["key"])
        with pytest.raises(DataikuException, match="Key to delete not found"):
            admin.auth().delete_key(created["key"])
        assert requests.get(node.uri + "/isAlive/", timeout=10).headers["DSS-Version"] == (
            "12.6.0-emulator"
        )
        stored = json.loads((tmp_path / "config" / "adminkeys.json").read_text())["keys"]
        assert stored[0]["key"] == node.admin_key  # an old node keeps its keys in clear


def test_from_13_1_keys_are_masked_with_an_id_and_deletable_by_id(tmp_path):
    with start_emulator(data_dir=tmp_path, dss_version="13.1") as node:
        admin = APINodeAdminClient(node.uri, node.admin_key)
        created = admin.auth().add_key(label="ci")
        listed = {k["label"]: k for k in admin.auth().list_keys()}
        assert listed["ci"]["key"] == "******" and listed["ci"]["id"] == created["id"]
        admin.auth().delete_key_by_id(created["id"])
        assert [k["label"] for k in admin.auth().list_keys()] == ["bootstrap"]
        assert requests.get(node.uri + "/isAlive/", timeout=10).headers["DSS-Version"] == (
            "13.1.0-emulator"
        )
        stored = (tmp_path / "config" / "adminkeys.json").read_text()
        assert node.admin_key not in stored and created["key"] not in stored


@pytest.mark.parametrize("given", ["13", "thirteen", "13.1.2.3", ""])
def test_a_bad_version_is_a_usage_error(tmp_path, given):
    proc = subprocess.run(
        [sys.executable, "-m", "apinode_admin_cli.emulator", "--port", "0",
         "--data-dir", str(tmp_path), "--dss-version", given],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert "invalid --dss-version" in proc.stderr and "Traceback" not in proc.stderr
