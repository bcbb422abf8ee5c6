"""Retries over real sockets: what is retried, how often, how long the client waits."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable

import pytest
from support.fault_server import KEY, RecordingServer

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.errors import ConnectionFailure, ServerError, TimeoutFailure

SERVICES = "/admin/api/services"
Make = Callable[..., APINodeAdminClient]


def _messages(log: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in log.records if r.name == "apinode_admin_cli.http"]


def test_requests_share_one_keep_alive_connection(
    server: RecordingServer, make_client: Make
) -> None:
    client = make_client()
    client.list_services()
    client.service("s").enable()
    client.get_metrics()
    assert len({r.client_port for r in server.requests}) == 1, server.requests


def test_get_is_retried_after_503(server: RecordingServer, make_client: Make) -> None:
    server.queue("GET", SERVICES, 503, {"message": "busy"})
    server.queue("GET", SERVICES, 200, [{"serviceId": "s", "enabled": True}])
    assert make_client().list_services() == [{"serviceId": "s", "enabled": True}]
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [429, 502, 504])
def test_other_retryable_statuses(server: RecordingServer, make_client: Make, status: int) -> None:
    server.queue("DELETE", "/admin/api/model-cache", status, {"message": "later"})
    assert make_client().clear_model_cache() == {"ok": True}
    assert len(server.requests) == 2


def test_retry_after_is_honoured_and_capped(
    server: RecordingServer, make_client: Make, http_log: pytest.LogCaptureFixture
) -> None:
    server.queue("GET", SERVICES, 503, headers={"Retry-After": "120"})
    server.queue("GET", SERVICES, 503, headers={"Retry-After": "0.15"})
    start = time.monotonic()
    make_client(retry_after_cap=0.3, backoff_base=5.0).list_services()
    elapsed = time.monotonic() - start
    assert 0.45 <= elapsed < 2.0
    waits = [m for m in _messages(http_log) if m.startswith("retrying in")]
    assert waits == ["retrying in 0.30 s", "retrying in 0.15 s"]


def test_attempts_follow_retries_then_server_error(
    server: RecordingServer, make_client: Make, http_log: pytest.LogCaptureFixture
) -> None:
    for _ in range(6):
        server.queue("GET", "/admin/api/metrics", 503, {"message": "overloaded"})
    with pytest.raises(ServerError) as info:
        make_client(retries=4).get_metrics()
    assert len(server.requests) == 4
    assert info.value.status == 503 and info.value.exit_code == 7
    assert "tried 4 times" in (info.value.hint or "")
    attempts = [m for m in _messages(http_log) if "-> 503" in m]
    assert [m.rsplit("attempt ", 1)[1] for m in attempts] == ["1/4)", "2/4)", "3/4)", "4/4)"]


def test_retries_below_one_mean_one_attempt(server: RecordingServer, make_client: Make) -> None:
    server.queue("GET", SERVICES, 503)
    with pytest.raises(ServerError):
        make_client(retries=0).list_services()
    assert len(server.requests) == 1


def test_post_is_not_retried_after_503(server: RecordingServer, make_client: Make) -> None:
    server.queue("POST", "/admin/api/services/", 503, {"message": "busy"})
    with pytest.raises(ServerError):
        make_client().create_service("s")
    assert len(server.requests) == 1


def test_post_is_not_retried_when_the_connection_drops(
    server: RecordingServer, make_client: Make
) -> None:
    server.queue("POST", "/admin/api/services/s/actions/enable", action="drop")
    with pytest.raises(ConnectionFailure) as info:
        make_client().service("s").enable()
    assert "dropped" in info.value.message
    assert len(server.requests) == 1


@pytest.mark.parametrize("action", ["drop", "truncate"])
def test_get_is_retried_when_the_connection_drops(
    server: RecordingServer, make_client: Make, action: str
) -> None:
    server.queue("GET", SERVICES, body=b'[{"serviceId": "half"}]', action=action)
    server.queue("GET", SERVICES, 200, [])
    assert make_client().list_services() == []
    assert len(server.requests) == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_port_is_retried_then_connection_failure(
    make_client: Make, http_log: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    client = make_client(uri=f"http://127.0.0.1:{port}", retries=3)
    with pytest.raises(ConnectionFailure) as info:
        client.create_service("s")
    assert info.value.exit_code == 7
    assert f"127.0.0.1:{port}" in info.value.message and "refused" in info.value.message
    refused = [m for m in _messages(http_log) if "connection refused" in m]
    assert len(refused) == 3
    assert len([m for m in _messages(http_log) if m.startswith("retrying in")]) == 2


def _accept_once(sock: socket.socket, listening: threading.Event, seen: list[bytes]) -> None:
    listening.wait(5)
    conn, _ = sock.accept()
    with conn:
        seen.append(conn.recv(65536))
        body = b'{"ok": true}'
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        conn.sendall(b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))


def test_post_is_retried_until_a_late_listener_accepts(make_client: Make) -> None:
    # Bound but not listening: the kernel refuses connections until listen() is called,
    # which happens during the second wait, so the third attempt is the one that gets in.
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    seen: list[bytes] = []
    waits: list[float] = []
    listening = threading.Event()

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            sock.listen(1)
            listening.set()

    thread = threading.Thread(target=_accept_once, args=(sock, listening, seen), daemon=True)
    thread.start()
    try:
        client = make_client(uri=f"http://127.0.0.1:{sock.getsockname()[1]}", sleep=sleep)
        assert client.create_service("late") == {"ok": True}
    finally:
        listening.set()
        thread.join(5)
        sock.close()
    assert len(waits) == 2
    assert len(seen) == 1 and seen[0].startswith(b"POST /admin/api/services/ ")


def test_read_timeout_is_a_timeout_failure_and_not_retried(
    server: RecordingServer, make_client: Make
) -> None:
    server.queue("GET", SERVICES, 200, [], delay=1.5)
    start = time.monotonic()
    with pytest.raises(TimeoutFailure) as info:
        make_client(timeout=0.3).list_services()
    assert time.monotonic() - start < 0.3 + 0.7
    assert "0.3 s" in info.value.message and "--timeout" in (info.value.hint or "")
    assert len(server.requests) == 1


def test_each_exchange_is_logged(
    server: RecordingServer, make_client: Make, http_log: pytest.LogCaptureFixture
) -> None:
    make_client().service("s").import_generation_from_archive("/tmp/p.zip")
    (line,) = _messages(http_log)
    url = f"{server.url}/admin/api/services/s/generations/actions/importFromArchive"
    assert line.startswith(f"POST {url}?filePath=%2Ftmp%2Fp.zip -> 200 OK (")
    assert line.endswith(" ms, attempt 1/3)")


def test_retry_after_is_capped_at_30_s_by_default(server: RecordingServer) -> None:
    waits: list[Any] = []
    server.queue("GET", SERVICES, 503, headers={"Retry-After": "7"})
    server.queue("GET", SERVICES, 503, headers={"Retry-After": "120"})
    with APINodeAdminClient(server.url, KEY, sleep=waits.append) as client:
        client.list_services()
    assert waits == [7.0, 30.0]
