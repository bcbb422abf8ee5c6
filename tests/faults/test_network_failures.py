"""A node that cannot be reached, in real processes: exit 7 fast, one line, no traceback."""

from __future__ import annotations

import time
from typing import Any

import pytest
from support.cli import RunProc, free_port
from support.faults import assert_clean_failure

SERVICES = "/admin/api/services"
# Interpreter start-up and the import of requests, with room for a loaded CI machine.
MARGIN = 2.5


def _node_args(node: Any, *args: str) -> list[str]:
    return ["--uri", node.uri, "--api-key", node.admin_key, *args]


def _timed(run_proc: RunProc, *args: str) -> tuple[Any, float]:
    start = time.monotonic()
    proc = run_proc(*args)
    return proc, time.monotonic() - start


def _failed_cleanly(proc: Any, *words: str) -> None:
    assert proc.returncode == 7, proc.stderr
    assert proc.stdout == ""
    assert_clean_failure(proc.stderr)
    for word in words:
        assert word in proc.stderr.splitlines()[0], proc.stderr


def test_read_timeout(run_proc: RunProc, emulator: Any) -> None:
    # The answer comes after 2.2 s: exit 7 (not 0) proves the timeout cut the wait; no clock
    # is read, so a loaded machine cannot fail this test.
    emulator.add_fault(method="GET", path=SERVICES, delayMs=2200)
    proc = run_proc(*_node_args(emulator, "--timeout", "1", "services", "list"))
    _failed_cleanly(proc, "did not answer within 1 s")
    assert "--timeout" in proc.stderr
    # A read timeout is not retried: the node may still be working on the first request.
    assert sum(1 for r in emulator.received if r["path"] == SERVICES) == 1


def test_read_timeout_from_the_environment(run_proc: RunProc, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, delayMs=1500)
    proc = run_proc(*_node_args(emulator, "services", "list"), env={"APINODE_ADMIN_TIMEOUT": "0.5"})
    _failed_cleanly(proc, "within 0.5 s")


def test_connection_dropped_mid_response(run_proc: RunProc, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, drop="mid-body", count=3)
    proc = run_proc(*_node_args(emulator, "--retries", "3", "services", "list"))
    _failed_cleanly(proc, "dropped before the answer was complete")
    assert sum(1 for r in emulator.received if r["path"] == SERVICES) == 3


def test_connection_closed_without_an_answer(run_proc: RunProc, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, drop=True, count=2)
    proc = run_proc(*_node_args(emulator, "--retries", "2", "services", "list", "-o", "json"))
    _failed_cleanly(proc, "dropped")
    assert '{"error": {"status": null' in proc.stderr


def test_dropped_once_then_answered(run_proc: RunProc, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, drop="mid-body")
    proc = run_proc(*_node_args(emulator, "services", "list", "-o", "json"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n" and proc.stderr == ""


def test_dns_failure(run_proc: RunProc) -> None:
    args = ["--uri", "http://apinode.no-such-host.invalid:12000", "--api-key", "secret-key"]
    proc, elapsed = _timed(run_proc, *args, "--retries", "1", "services", "list")
    _failed_cleanly(proc, "could not resolve host name", "apinode.no-such-host.invalid")
    assert elapsed < MARGIN + 1


@pytest.mark.parametrize("command", [("services", "list"), ("services", "create", "x"), ("ping",)])
def test_refused_port(run_proc: RunProc, command: tuple[str, ...]) -> None:
    port = free_port()
    args = ["--uri", f"http://127.0.0.1:{port}", "--api-key", "secret-key", "--retries", "2"]
    proc, elapsed = _timed(run_proc, *args, *command)
    _failed_cleanly(proc, "refused", f"127.0.0.1:{port}")
    assert elapsed < MARGIN + 1


def test_verbose_failure_shows_the_attempts_and_a_traceback(run_proc: RunProc) -> None:
    port = free_port()
    args = ["-v", "--uri", f"http://127.0.0.1:{port}", "--api-key", "secret-key", "--retries", "3"]
    proc = run_proc(*args, "services", "list")
    assert proc.returncode == 7, proc.stderr
    attempts = [line for line in proc.stderr.splitlines() if "connection refused (" in line]
    assert [a.rsplit("attempt ", 1)[1] for a in attempts] == ["1/3)", "2/3)", "3/3)"]
    assert "Traceback" in proc.stderr  # only under -v


def test_proxy_from_the_environment_is_used(run_proc: RunProc, emulator: Any) -> None:
    proxy = f"http://127.0.0.1:{free_port()}"
    env = {"HTTP_PROXY": proxy, "http_proxy": proxy, "NO_PROXY": "", "no_proxy": ""}
    proc = run_proc(*_node_args(emulator, "--retries", "1", "services", "list"), env=env)
    _failed_cleanly(proc, "through the proxy")
    assert "HTTP_PROXY" in proc.stderr
    assert emulator.received == []
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1"
    assert run_proc(*_node_args(emulator, "services", "list"), env=env).returncode == 0
