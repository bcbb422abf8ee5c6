"""``emulator serve --data-dir --dss-version``: an old node's keys; one emulator per data dir."""

from __future__ import annotations

import signal
import subprocess
import sys

import requests
from support.cli import check

from apinode_admin_cli.emulator import start_emulator

SERVE = [sys.executable, "-m", "apinode_admin_cli", "emulator", "serve", "--port", "0"]


def test_an_old_version_lists_keys_in_clear(tmp_path):
    proc = subprocess.Popen(
        [*SERVE, "--data-dir", str(tmp_path), "--admin-key", "old-key", "--dss-version", "12.6"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        uri = proc.stdout.readline().split()[3]
        listed = requests.get(uri + "/admin/api/keys", auth=("old-key", ""), timeout=10)
        assert [k["key"] for k in listed.json()] == ["old-key"] and "id" not in listed.json()[0]
        assert listed.headers["DSS-Version"] == "12.6.0-emulator"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_a_data_dir_in_use_is_refused_in_one_line(run_cli, tmp_path):
    with start_emulator(data_dir=tmp_path, admin_key="k"):
        result = run_cli("emulator", "serve", "--port", "0", "--data-dir", str(tmp_path))
    check(result, 1)
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: data dir {tmp_path} is in use by another emulator")
    assert "Traceback" not in result.stderr


def test_a_bad_version_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("emulator", "serve", "--port", "0", "--dss-version", "13")
    check(result, 2)
    assert "invalid --dss-version" in result.stderr and result.stdout == ""
