"""Two stop signals close together during a rollout (issue 22 item 2): a real process, real signals.

Only the first signal counts: the rollback runs, the report is printed, the exit code is the
first signal's, whatever the second one is and however close it comes.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest
from support.cli import clean_env, start_cli
from support.rollout import Deploy, mapping_of

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ExitCode

STABLE = {"v1": 0.75, "v0": 0.25}


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)
    into.put("")


def _stop_twice(
    emulator: EmulatorHandle, tmp_path: Path, first: int, second: int, gap: float
) -> tuple[int, str, str]:
    """Run a paused rollout, send ``first`` then ``second`` ``gap`` s later; its outcome."""
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
        os.kill(proc.pid, first)
        if gap:
            time.sleep(gap)
        os.kill(proc.pid, second)
        stdout = proc.stdout.read()
        returned = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    while not seen.empty():
        stderr += seen.get()
    return returned, stdout, stderr


@pytest.mark.skipif(sys.platform == "win32", reason="signals to a child process are POSIX")
@pytest.mark.parametrize(
    ("first", "second", "gap"),
    [
        (signal.SIGINT, signal.SIGTERM, 0.0),
        (signal.SIGTERM, signal.SIGTERM, 0.003),
        (signal.SIGINT, signal.SIGINT, 0.001),
        (signal.SIGTERM, signal.SIGINT, 0.008),
    ],
    ids=["int-term", "term-term-3ms", "int-int-1ms", "term-int-8ms"],
)
def test_a_second_stop_signal_never_skips_the_rollback_nor_the_report(
    emulator: EmulatorHandle,
    deploy: Deploy,
    tmp_path: Path,
    first: int,
    second: int,
    gap: float,
) -> None:
    deploy(emulator, STABLE, extra=("v2",))
    returned, stdout, stderr = _stop_twice(emulator, tmp_path, first, second, gap)
    # The first signal handled decides how it ends; the second one is only noted. Two sent at
    # the same instant may be handled either way round (the kernel hands a signal to any
    # thread of the process): then the exit code must match the stop the report names.
    handled = first
    if gap == 0 and "Terminated: rolling back" in stderr:
        handled = signal.SIGTERM
    code = ExitCode.INTERRUPTED if handled == signal.SIGINT else ExitCode.TERMINATED
    assert returned == code, stderr
    assert mapping_of(emulator) == STABLE
    assert "Restored v1 75% v0 25%" in stderr
    assert "Traceback" not in stderr
    rows = [line.split() for line in stdout.splitlines()]
    assert rows and rows[-1][0] == "rollback" and rows[-1][-1] == "restored", stdout
