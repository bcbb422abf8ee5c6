"""``metrics watch`` on one node: JSON lines in a pipe, the live table on a terminal, its ends."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from click.testing import CliRunner
from support.cli import RunCli, check, clean_env, closed_port_uri

from apinode_admin_cli.cli import cli
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.client import APINodeClient

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX pipes, signals and terminals")
REQUESTS = "services.churn.endpoints.score.requests"


@pytest.fixture
def served(node_cli: RunCli, emulator: Any, make_archive: Callable[..., Path]) -> Any:
    """Service churn serving v1: predictions on endpoint score are counted."""
    check(node_cli("services", "create", "churn"))
    check(node_cli("generations", "import", "churn", str(make_archive("v1")), "--activate"))
    return emulator


def watch_process(emulator: Any, home: Path, *args: str, **kw: Any) -> subprocess.Popen:
    """``apinode-admin metrics watch ARGS`` in a real process; stdout and stderr are pipes."""
    env = clean_env(home, APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key)
    return subprocess.Popen(
        [sys.executable, "-m", "apinode_admin_cli", "metrics", "watch", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Whatever the test runner ignores, the watch must get Ctrl-C as a user's shell gives it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        **kw,
    )


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def seconds(line: dict[str, Any]) -> float:
    return datetime.fromisoformat(line["time"].replace("Z", "+00:00")).timestamp()


@posix_only
def test_json_lines_in_a_pipe_with_traffic_between_polls(served: Any, config_home: Path) -> None:
    # Each poll's snapshot waits for the traffic meant to land before it: the counts are then
    # known exactly, whatever the machine's speed.
    real_snapshot = served.app.metrics.snapshot
    polled = [threading.Event() for _ in range(3)]
    sent = [threading.Event() for _ in range(2)]
    batches = [4, 6]
    lock = threading.Lock()
    count = [0]

    def snapshot() -> Any:
        with lock:
            index = count[0]
            count[0] += 1
        if 0 < index <= len(sent):
            assert sent[index - 1].wait(20)
        answer = real_snapshot()
        if index < len(polled):
            polled[index].set()
        return answer

    def traffic() -> None:
        with APINodeClient(served.uri, "churn") as user:
            for index, size in enumerate(batches):
                assert polled[index].wait(20)
                for i in range(size):
                    user.predict_record("score", {"i": i})
                sent[index].set()

    with APINodeClient(served.uri, "churn") as user:
        user.predict_record("score", {"i": 0})  # the counters exist before the first poll
    served.app.metrics.snapshot = snapshot
    sender = threading.Thread(target=traffic, daemon=True)
    sender.start()
    proc = watch_process(served, config_home, "--count", "3", "--interval", "0.2")
    out, err = proc.communicate(timeout=60)
    sender.join(10)
    assert proc.returncode == 0, err
    assert err == ""
    lines = [json.loads(text) for text in out.splitlines()]
    assert len(lines) == 3
    assert all(set(line) == {"time", "node", "error", "metrics", "rates"} for line in lines)
    assert all(line["node"] is None and line["error"] is None for line in lines)
    counts = [line["metrics"][REQUESTS] for line in lines]
    assert counts == [1, 5, 11]
    assert lines[0]["rates"] == {}
    for before, after, size in zip(lines, lines[1:], batches):
        elapsed = seconds(after) - seconds(before)
        assert elapsed > 0
        # Rates are per second of the node's answers (times printed to the millisecond).
        assert after["rates"][REQUESTS] * elapsed == pytest.approx(size, rel=0.03)
        assert after["rates"]["services.churn.requests"] == after["rates"][REQUESTS]
        assert after["rates"]["admin.requests"] > 0  # the watch's own polls
        for name, rate in after["rates"].items():
            change = after["metrics"][name] - before["metrics"][name]
            assert rate * elapsed == pytest.approx(change, rel=0.03, abs=1e-9)


@posix_only
def test_ctrl_c_ends_a_watch_with_exit_0(served: Any, config_home: Path) -> None:
    proc = watch_process(served, config_home, "--interval", "0.2")
    assert proc.stdout is not None
    first = json.loads(proc.stdout.readline())
    assert first["error"] is None
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert err == ""  # a watch ends this way: nothing alarming
    assert all(json.loads(line) for line in out.splitlines())


@posix_only
def test_ctrl_c_on_a_terminal_leaves_the_last_table(served: Any, config_home: Path) -> None:
    import pty

    main, child = pty.openpty()
    env = clean_env(
        config_home,
        APINODE_ADMIN_URI=served.uri,
        APINODE_ADMIN_API_KEY=served.admin_key,
        COLUMNS="120",
        LINES="50",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "apinode_admin_cli", "metrics", "watch", "--interval", "0.2"],
        env=env,
        stdout=child,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(child)
    chunks: list[bytes] = []

    def read_screen() -> None:
        # Read all along: a full terminal buffer would block the watch's redraws.
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:  # Linux: EIO once the child's side is closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=read_screen, daemon=True)
    reader.start()
    try:
        # The second poll compares with the first: a full table is on screen.
        wait_for(lambda: b"poll 2 " in b"".join(chunks) or proc.poll() is not None)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
        assert proc.stderr is not None and proc.stderr.read() == b""
        reader.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(main)
    seen = b"".join(chunks)
    text = seen.decode("utf-8", "replace")
    assert "METRIC" in text and "RATE/S" in text and "admin.requests" in text
    assert "Ctrl-C to stop" in text
    assert "Traceback" not in text and "Interrupted" not in text


def test_the_live_table_through_the_apps_terminal(served: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    app = App(Terminal(stdout=out, stderr=err, stdout_tty=True, stderr_tty=False))
    env = {"APINODE_ADMIN_URI": served.uri, "APINODE_ADMIN_API_KEY": served.admin_key}
    result = CliRunner().invoke(
        cli, ["metrics", "watch", "--count", "2", "--interval", "0.1"], obj=app, env=env
    )
    assert result.exit_code == 0, err.getvalue()
    assert err.getvalue() == ""
    screen = out.getvalue()
    assert "\x1b[" in screen  # redrawn in place, not a stream of tables
    last = screen[screen.rindex("poll 2/2") :]
    assert "METRIC" in last and "VALUE" in last and "CHANGE" in last and "RATE/S" in last
    # After two polls, only what changed: the watch's own GET requests.
    assert "admin.byMethod.GET" in last and "+1" in last
    assert "services.churn.errors" not in last
    assert "Ctrl-C" not in last  # --count ends it by itself


def test_a_node_that_does_not_answer_goes_on_then_exits_7(run_cli: RunCli) -> None:
    uri = closed_port_uri()
    env = {"APINODE_ADMIN_URI": uri, "APINODE_ADMIN_API_KEY": "k", "APINODE_ADMIN_RETRIES": "1"}
    result = run_cli("metrics", "watch", "--count", "2", "--interval", "0.1", env=env)
    check(result, 7)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 2
    assert all(line["error"] and line["metrics"] == {} == line["rates"] for line in lines)
    assert result.stderr.startswith("Error: the node did not answer 2 of 2 polls: ")
    assert "Traceback" not in result.stderr


@posix_only
def test_a_closed_pipe_ends_the_watch_with_exit_0(served: Any, config_home: Path) -> None:
    env = clean_env(
        config_home, APINODE_ADMIN_URI=served.uri, APINODE_ADMIN_API_KEY=served.admin_key
    )
    command = f"{sys.executable} -m apinode_admin_cli metrics watch --interval 0.1"
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | head -1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["error"] is None


@pytest.mark.parametrize("interval", ["0", "-1", "0.05", "3601", "nan", "inf"])
def test_the_interval_must_be_a_sensible_number_of_seconds(run_cli: RunCli, interval: str) -> None:
    result = run_cli("metrics", "watch", "--interval", interval)
    check(result, 2)
    assert result.stderr.startswith("Error: --interval must be between 0.1 and 3600 seconds")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_count_must_be_positive_and_a_node_is_needed(run_cli: RunCli) -> None:
    check(run_cli("metrics", "watch", "--count", "0"), 2)
    missing = run_cli("metrics", "watch", "--count", "1")
    check(missing, 3)
    assert missing.stdout == ""


def test_json_lines_escape_the_controls_a_terminal_would_obey(
    node_cli: RunCli, emulator: Any
) -> None:
    # As `-o json` does: `tail -f` of the file on a terminal must not run a CSI from a key.
    body = '{"a\\u009b2Jb": 1, "c\\u001bd": 2, "\\u00e9": 3}'
    emulator.add_fault(method="GET", path="/admin/api/metrics", status=200, body=body)
    result = node_cli("metrics", "watch", "--count", "1", "--interval", "0.1")
    check(result)
    assert "\x9b" not in result.stdout and "\x1b" not in result.stdout
    line = json.loads(result.stdout)
    assert line["metrics"] == {"a\x9b2Jb": 1, "c\x1bd": 2, "\u00e9": 3}


def test_a_lone_surrogate_in_a_key_is_escaped_not_a_crash(node_cli: RunCli, emulator: Any) -> None:
    # json.loads lets "\ud800" through; UTF-8 cannot write it, \u escapes can.
    body = '{"lone": {"\\ud800": 3}, "ok": 1}'
    emulator.add_fault(method="GET", path="/admin/api/metrics", status=200, body=body)
    result = node_cli("metrics", "watch", "--count", "1", "--interval", "0.1")
    check(result)
    assert "\\ud800" in result.stdout
    assert json.loads(result.stdout)["metrics"] == {"lone.\ud800": 3, "ok": 1}
