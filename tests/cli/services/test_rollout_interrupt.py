"""Ctrl-C or SIGTERM during a rollout's pause: a real process restores the mapping, then exits."""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from pathlib import Path
from typing import IO

import pytest
from support.cli import clean_env, start_cli
from support.rollout import Deploy, mapping_bodies, mapping_of

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ExitCode


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)
    into.put("")


@pytest.mark.skipif(sys.platform == "win32", reason="signals to a child process are POSIX")
@pytest.mark.parametrize(
    ("sent", "code", "said", "last"),
    [
        (signal.SIGINT, ExitCode.INTERRUPTED, "Interrupted: rolling back", "Interrupted."),
        # A cancelled CI job: the runner sends SIGTERM, and the traffic must not stay split.
        (signal.SIGTERM, ExitCode.TERMINATED, "Terminated: rolling back", "Terminated."),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_stop_during_the_pause_restores_the_stable_mapping(
    emulator: EmulatorHandle,
    deploy: Deploy,
    tmp_path: Path,
    sent: signal.Signals,
    code: ExitCode,
    said: str,
    last: str,
) -> None:
    deploy(emulator, {"v1": 0.75, "v0": 0.25}, extra=("v2",))
    env = clean_env(
        tmp_path / "config",
        APINODE_ADMIN_URI=emulator.uri,
        APINODE_ADMIN_API_KEY=emulator.admin_key,
    )
    proc = start_cli(
        "services", "rollout", "churn", "v2", "--steps", "10,100", "--pause", "600",
        env=env,
        text=True,
    )  # fmt: skip
    assert proc.stderr is not None and proc.stdout is not None
    seen: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(proc.stderr, seen), daemon=True)
    reader.start()
    stderr = ""
    try:
        while "Waiting" not in stderr:
            line = seen.get(timeout=60)
            assert line, f"the rollout ended before its pause:\n{stderr}"
            stderr += line
        # It waits between the steps: the first step is in force.
        assert mapping_of(emulator) == {"v2": 0.1, "v1": 0.675, "v0": 0.225}
        os.kill(proc.pid, sent)
        returned = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    while not seen.empty():
        stderr += seen.get()
    stdout = proc.stdout.read()
    assert returned == code, stderr
    assert "Waiting 600 s before step 100% (Ctrl-C rolls back)" in stderr
    assert f"{said} to the stable mapping" in stderr
    assert stderr.rstrip().splitlines()[-1] == last
    assert "Restored v1 75% v0 25%" in stderr
    assert "Traceback" not in stderr
    assert mapping_of(emulator) == {"v1": 0.75, "v0": 0.25}
    assert mapping_bodies(emulator)[-1] == {"v1": 0.75, "v0": 0.25}
    rows = [line.split() for line in stdout.splitlines()]
    assert rows[1][0] == "10%" and rows[1][-1] == "ok"
    assert rows[-1][0] == "rollback" and rows[-1][-1] == "restored"
    assert "v2" not in stdout.splitlines()[-1:]  # no generation id: the rollout did not succeed
