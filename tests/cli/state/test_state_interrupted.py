"""An apply stopped by Ctrl-C or SIGTERM (issue 22 item 3): a real process, real signals.

What was done, the change under way (it may have been applied) and what did not run are
reported in every output format, and the exit code is the signal's (130 or 143).
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any, Callable

import pytest
from support.cli import clean_env, start_cli

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ExitCode

IMPORT = "/admin/api/services/churn/generations/actions/importFromArchive"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)
    into.put("")


def _state_file(tmp_path: Path, make_archive: Callable[..., Path]) -> Path:
    path = tmp_path / "prod.toml"
    archive = make_archive("v1")
    path.write_text(
        f'[services.churn]\ngenerations = {{ v1 = "{archive}" }}\nactive = "v1"\n',
        encoding="utf-8",
    )
    return path


def _stop_apply(env: dict[str, str], args: list[str], wait_for: str, *sent: int) -> Any:
    """Start `state apply ARGS`; once stderr shows ``wait_for``, send the signals; its outcome."""
    proc = start_cli("state", "apply", *args, "-y", env=env, text=True)
    assert proc.stderr is not None and proc.stdout is not None
    seen: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(proc.stderr, seen), daemon=True)
    reader.start()
    stderr = ""
    try:
        while wait_for not in stderr:
            line = seen.get(timeout=60)
            assert line, f"the apply ended first:\n{stderr}"
            stderr += line
        time.sleep(0.3)  # the next change is under way, held by the node
        for number in sent:
            os.kill(proc.pid, number)
            time.sleep(0.003)
        stdout = proc.stdout.read()
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    while not seen.empty():
        stderr += seen.get()
    return code, stdout, stderr


@pytest.mark.parametrize(
    ("sent", "code", "last"),
    [
        ((signal.SIGINT,), ExitCode.INTERRUPTED, "Interrupted."),
        ((signal.SIGTERM, signal.SIGTERM), ExitCode.TERMINATED, "Terminated."),
    ],
    ids=["ctrl-c", "sigterm-twice"],
)
@pytest.mark.parametrize("output", ["plain", "json"])
def test_a_stopped_apply_reports_each_change(
    emulator: EmulatorHandle,
    make_archive: Callable[..., Path],
    tmp_path: Path,
    sent: tuple[int, ...],
    code: int,
    last: str,
    output: str,
) -> None:
    emulator.add_fault(method="POST", path=IMPORT, delayMs=1500)
    env = clean_env(
        tmp_path / "config",
        APINODE_ADMIN_URI=emulator.uri,
        APINODE_ADMIN_API_KEY=emulator.admin_key,
    )
    args = ["-f", str(_state_file(tmp_path, make_archive)), "-o", output]
    returned, stdout, stderr = _stop_apply(env, args, "done: + service churn", *sent)
    assert returned == code, stderr
    assert "Traceback" not in stderr
    assert stderr.rstrip().splitlines()[-1] == last
    assert "interrupted: + churn: import v1" in stderr and "may have applied it" in stderr
    assert "not run: ~ churn: switch" in stderr or "not run: ~ churn: mapping" in stderr
    assert "Apply interrupted: 1 change done, 1 may have been applied, 1 not run" in stderr
    if output == "json":
        report = json.loads(stdout)
        assert report["ok"] is False and report["interrupted"] is True
        assert report["exitCode"] == code
        assert [c["status"] for c in report["changes"]] == ["done", "interrupted", "not run"]


def test_a_stopped_fleet_apply_reports_every_node(
    make_fleet: Callable[..., Any],
    make_archive: Callable[..., Path],
    tmp_path: Path,
    config_home: Path,
) -> None:
    fleet = make_fleet("n1", "n2")
    # n1 finishes at once; n2's import is held while the signal arrives.
    fleet.node("n2").add_fault(method="POST", path=IMPORT, delayMs=1500)
    env = clean_env(config_home, APINODE_ADMIN_FLEET="prod")
    args = ["-f", str(_state_file(tmp_path, make_archive)), "-o", "json"]
    returned, stdout, stderr = _stop_apply(env, args, "n2: done: + service churn", signal.SIGINT)
    assert returned == ExitCode.INTERRUPTED, stderr
    assert "Traceback" not in stderr
    items = {item["node"]: item for item in json.loads(stdout)}
    assert items["n1"]["outcome"] == "ok"
    assert [c["status"] for c in items["n1"]["result"]["changes"]] == ["done"] * 3
    n2 = items["n2"]
    assert n2["outcome"] == "failed" and n2["error"]["exitCode"] == ExitCode.INTERRUPTED
    # The import under way was let finish (a few seconds of grace), then n2 stopped there.
    assert [c["status"] for c in n2["result"]["changes"]] == ["done", "done", "not run"]
    assert "n2: Apply interrupted: 2 changes done, 0 may have been applied, 1 not run" in stderr
    assert "Interrupted: waiting for the nodes under way to finish their request" in stderr
