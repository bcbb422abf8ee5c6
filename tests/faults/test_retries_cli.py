"""Retries seen from the command line: which requests are repeated, how often, how long apart."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from support.cli import RunCli, free_port
from support.faults import assert_clean_failure

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import start_emulator
from apinode_admin_cli.errors import ServerError

SERVICES = "/admin/api/services"


def _sent(node: Any, method: str, path: str = SERVICES) -> int:
    return sum(1 for r in node.received if r["method"] == method and r["path"] == path)


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_is_retried_honouring_a_zero_retry_after(
    node_cli: RunCli, emulator: Any, status: int
) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=status, retryAfter=0, count=2)
    result = node_cli("services", "list", "-o", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "[]\n"
    assert _sent(emulator, "GET") == 3


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_is_retried_with_backoff_without_retry_after(
    node_cli: RunCli, emulator: Any, status: int
) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=status)
    start = time.monotonic()
    result = node_cli("-v", "--retries", "2", "services", "list", "-o", "json")
    assert result.exit_code == 0, result.output
    assert _sent(emulator, "GET") == 2
    # Full jitter under a 0.5 s ceiling for the first wait.
    (wait,) = [line for line in result.stderr.splitlines() if "retrying in" in line]
    assert 0 <= float(wait.split("retrying in ")[1].split()[0]) <= 0.5
    assert time.monotonic() - start < 2


def test_retry_after_is_honoured(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=503, retryAfter=1)
    start = time.monotonic()
    result = node_cli("-v", "services", "list", "-o", "json")
    elapsed = time.monotonic() - start
    assert result.exit_code == 0, result.output
    assert 0.95 <= elapsed < 3
    assert "retrying in 1.00 s" in result.stderr


def test_retry_after_is_capped(emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=503, retryAfter=3600, count=2)
    client = APINodeAdminClient(emulator.uri, emulator.admin_key, retry_after_cap=0.2)
    start = time.monotonic()
    assert client.list_services() == []
    assert 0.38 <= time.monotonic() - start < 2
    assert _sent(emulator, "GET") == 3


def test_default_cap_is_thirty_seconds(emulator: Any) -> None:
    waits: list[float] = []
    emulator.add_fault(method="GET", path=SERVICES, status=429, retryAfter=3600)
    emulator.add_fault(method="GET", path=SERVICES, status=429, retryAfter=12)
    client = APINodeAdminClient(emulator.uri, emulator.admin_key, sleep=waits.append)
    assert client.list_services() == []
    assert waits == [30.0, 12.0]


@pytest.mark.parametrize("retries", ["1", "2", "4"])
def test_attempts_follow_retries(node_cli: RunCli, emulator: Any, retries: str) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=503, retryAfter=0, count=10)
    result = node_cli("--retries", retries, "services", "list")
    assert result.exit_code == 7, result.output
    assert result.stdout == ""
    assert_clean_failure(result.stderr)
    assert _sent(emulator, "GET") == int(retries)
    if retries != "1":
        assert f"tried {retries} times" in result.stderr


def test_retries_from_the_environment(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=502, retryAfter=0, count=10)
    result = node_cli("services", "list", env={"APINODE_ADMIN_RETRIES": "5"})
    assert result.exit_code == 7, result.output
    assert _sent(emulator, "GET") == 5


def test_delete_is_retried(node_cli: RunCli, emulator: Any) -> None:
    assert node_cli("services", "create", "gone").exit_code == 0
    emulator.add_fault(method="DELETE", path=SERVICES, status=503, retryAfter=0)
    result = node_cli("services", "delete", "gone", "-y")
    assert result.exit_code == 0, result.output
    assert _sent(emulator, "DELETE", SERVICES + "/gone") == 2


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_post_is_not_repeated_after_a_retryable_status(
    node_cli: RunCli, emulator: Any, status: int
) -> None:
    emulator.add_fault(method="POST", path=SERVICES, status=status, retryAfter=0, count=5)
    result = node_cli("--retries", "5", "services", "create", "once")
    assert result.exit_code == (1 if status == 429 else 7), result.output
    assert_clean_failure(result.stderr)
    assert _sent(emulator, "POST", SERVICES + "/") + _sent(emulator, "POST") == 1


def test_post_is_not_repeated_after_a_mid_body_drop(node_cli: RunCli, emulator: Any) -> None:
    # The node acted (the service exists) and then the answer was cut: repeating would conflict.
    emulator.add_fault(method="POST", path=SERVICES, drop="mid-body", count=5)
    result = node_cli("--retries", "5", "services", "create", "acted")
    assert result.exit_code == 7, result.output
    assert "dropped" in result.stderr
    assert sum(1 for r in emulator.received if r["method"] == "POST") == 1
    listed = node_cli("services", "list", "-o", "tsv", "--no-headers")
    assert listed.stdout.split("\t")[0] == "acted"


def test_post_is_retried_while_the_port_refuses(run_cli: RunCli, tmp_path: Any) -> None:
    port = free_port()
    started: list[Any] = []

    def start_late() -> None:
        time.sleep(0.4)
        started.append(start_emulator(port=port, data_dir=tmp_path / "late", admin_key="late-key"))

    thread = threading.Thread(target=start_late, daemon=True)
    thread.start()
    try:
        uri = f"http://127.0.0.1:{port}"
        result = run_cli("-v", "--uri", uri, "--api-key", "late-key", "--retries", "10",
                         "services", "create", "late")  # fmt: skip
        thread.join(5)
        assert result.exit_code == 0, result.output
        assert "connection refused" in result.stderr
        node = started[0]
        assert _sent(node, "POST", SERVICES + "/") + _sent(node, "POST") == 1
    finally:
        thread.join(5)
        for node in started:
            node.stop()


def test_server_error_keeps_the_nodes_message(node_cli: RunCli, emulator: Any) -> None:
    body = {"errorType": "java.lang.OutOfMemoryError", "message": "heap exhausted"}
    emulator.add_fault(method="GET", path=SERVICES, status=500, body=body)
    result = node_cli("services", "list", "-o", "json")
    assert result.exit_code == 7, result.output
    assert result.stderr.startswith("Error: heap exhausted\n")
    assert '"status": 500' in result.stderr and "OutOfMemoryError" in result.stderr
    assert _sent(emulator, "GET") == 1  # 500 is not a "try later" status


def test_library_raises_server_error_after_retries(emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=503, retryAfter=0, count=3)
    client = APINodeAdminClient(emulator.uri, emulator.admin_key, retries=3)
    with pytest.raises(ServerError) as info:
        client.list_services()
    assert info.value.status == 503 and "tried 3 times" in (info.value.hint or "")
