"""An idle emulator, node or deployer, sleeps: no thread wakes up on a timer without requests."""

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


@pytest.mark.parametrize(
    ("module", "key_option", "probe"),
    [
        ("apinode_admin_cli.emulator", "--admin-key", "/isAlive/"),
        ("apinode_admin_cli.emulator.deployer", "--api-key", "/public/api/api-deployer/infras"),
    ],
    ids=["node", "deployer"],
)
def test_an_idle_emulator_does_not_poll(tmp_path, module, key_option, probe):
    proc = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0", "--data-dir", str(tmp_path), key_option,
         "k"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        uri = proc.stdout.readline().split(" listening on ")[1].split()[0]
        assert requests.get(uri + probe, auth=("k", ""), timeout=10).ok
        time.sleep(0.2)  # the request's connection thread ends
        before = wake_ups(proc.pid)
        time.sleep(1.0)  # a poll every 10 ms would wake it 100 times
        assert wake_ups(proc.pid) - before <= 5
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_an_idle_k8s_balancer_does_not_poll():
    # A K8S deployment's public URL stays up between requests, as long as the deployment lives.
    script = (
        "import time\n"
        "from apinode_admin_cli.emulator.deployer.k8s import Balancer\n"
        "balancer = Balancer(0, list)\n"
        "print(balancer.uri, flush=True)\n"
        "time.sleep(30)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        uri = proc.stdout.readline().strip()
        assert requests.get(uri + "/", timeout=10).status_code == 503  # no replica yet
        time.sleep(0.2)  # the request's connection thread ends
        before = wake_ups(proc.pid)
        time.sleep(1.0)  # a poll every 50 ms would wake it 20 times
        assert wake_ups(proc.pid) - before <= 5
    finally:
        proc.kill()
        proc.communicate(timeout=15)
