"""The client's cost per request: no thread and no socket duplicate per attempt."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.client.deadline import AttemptWatch
from apinode_admin_cli.client.transport import Transport
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ConnectionFailure, TimeoutFailure


class _Counting:
    """Counts the calls of a function while still calling it."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


def test_many_requests_start_no_thread_and_duplicate_no_socket(
    module_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    with APINodeAdminClient(module_emulator.uri, module_emulator.admin_key) as client:
        client.list_services()  # the watchdog thread and the connection exist from here
        starts = _Counting(threading.Thread.start)
        dups = _Counting(socket.fromfd)
        monkeypatch.setattr(threading.Thread, "start", starts)
        monkeypatch.setattr(socket, "fromfd", dups)
        for _ in range(200):
            assert client.list_services() == []
    assert starts.calls == 0
    assert dups.calls == 0


def test_one_watchdog_fires_each_attempt_at_its_own_deadline() -> None:
    # Deadlines added out of order: each watch fires at its own time, none early, none late.
    watches = [AttemptWatch(seconds) for seconds in (0.6, 0.2, 0.4)]
    fired: dict[int, float] = {}
    start = time.monotonic()

    def hold(index: int, watch: AttemptWatch) -> None:
        with watch:
            while not watch.expired and time.monotonic() - start < 5:
                time.sleep(0.01)
            fired[index] = time.monotonic() - start

    threads = [threading.Thread(target=hold, args=(i, w)) for i, w in enumerate(watches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(w.expired for w in watches)
    assert sorted(fired, key=fired.__getitem__) == [1, 2, 0]
    for index, seconds in enumerate((0.6, 0.2, 0.4)):
        assert seconds <= fired[index] < seconds + 1.5


def test_a_watch_that_ended_in_time_never_fires() -> None:
    watch = AttemptWatch(0.05)
    with watch:
        pass
    time.sleep(0.2)
    assert not watch.expired


def test_the_environment_is_read_per_origin_and_still_applies(
    module_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy from the environment still applies, although it is read once per client.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with APINodeAdminClient(module_emulator.uri, module_emulator.admin_key, retries=1) as client:
        for _ in range(2):
            with pytest.raises(ConnectionFailure):
                client.list_services()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with APINodeAdminClient(module_emulator.uri, module_emulator.admin_key) as client:
        assert client.list_services() == []


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"NO_PROXY": "*"},
        {"REQUESTS_CA_BUNDLE": "/some/bundle.pem"},
        {"CURL_CA_BUNDLE": "/other/bundle.pem", "no_proxy": "example.com"},
        {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "127.0.0.1"},
        {"https_proxy": "http://proxy:3128"},
        {"ALL_PROXY": "http://proxy:3128"},
        {"FTP_PROXY": "http://proxy:3128"},
    ],
    ids=["none", "no-proxy-only", "ca", "curl-ca", "proxy-bypassed", "proxy", "all", "ftp-only"],
)
@pytest.mark.parametrize("verify", [True, False, "/given/ca.pem"])
def test_the_environment_is_what_requests_merges(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], verify: Any
) -> None:
    # Without a proxy the environment is worked out without requests' merge: the same answer.
    import requests
    from requests.utils import select_proxy

    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    ours = Transport("https://node.example:12000", "k", verify=True)
    ours._verify = verify  # a CA path that need not exist here
    ca = None if verify is True else verify
    for url in ("https://node.example:12000/admin/api/services", "http://127.0.0.1:1/x"):
        expected = dict(requests.Session().merge_environment_settings(url, {}, True, ca, None))
        got = ours._environment(url)
        # The proxy the URL goes through (requests leaves unused entries, ftp or no, in).
        assert select_proxy(url, got.pop("proxies")) == select_proxy(url, expected.pop("proxies"))
        assert got == expected
    ours.close()


def _keep_alive_then_drip(listener: socket.socket, stop: threading.Event) -> None:
    """Answer a first request at once on a kept-alive connection, then drip the second."""
    conn, _ = listener.accept()
    with conn:
        for answer in range(2):
            head = b""
            while b"\r\n\r\n" not in head:
                head += conn.recv(4096)
            if answer == 0:
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 2\r\n\r\n[]"
                )
                continue
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b" ")
                except OSError:
                    return
                time.sleep(0.05)


def test_a_timeout_still_holds_on_a_pooled_connection() -> None:
    # Each byte comes well within the socket timeout: only the watch can end the attempt.
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    server = threading.Thread(target=_keep_alive_then_drip, args=(listener, stop), daemon=True)
    server.start()
    uri = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with APINodeAdminClient(uri, "k" * 20, timeout=0.5, retries=1) as client:
            assert client.list_services() == []
            start = time.monotonic()
            with pytest.raises(TimeoutFailure):
                client.list_services()
            assert time.monotonic() - start < 2
    finally:
        stop.set()
        server.join(5)
        listener.close()
