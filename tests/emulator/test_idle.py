"""An idle emulator sleeps: no thread wakes up on a timer while no request comes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")


def wake_ups(pid: int) -> int:
    """Context switches of every thread of ``pid`` so far (each wake-up is one)."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        for line in status.read_text().splitlines():
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def test_an_idle_emulator_does_not_poll(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "apinode_admin_cli.emulator", "--port", "0", "--data-dir",
         str(tmp_path), "--admin-key", "k"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        uri = proc.stdout.readline().split()[3]
        assert requests.get(uri + "/isAlive/", timeout=10).ok
        time.sleep(0.2)  # the request's connection thread ends
        before = wake_ups(proc.pid)
        time.sleep(1.0)  # a poll every 10 ms would wake it 100 times
        assert wake_ups(proc.pid) - before <= 5
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    assert proc.returncode == 0
