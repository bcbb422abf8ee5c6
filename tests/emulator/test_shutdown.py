"""Stopping is bounded whatever clients do: slow bodies, silent TLS clients, slowloris, delays."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import threading

import pytest
import requests
from support.emulator import assert_error

from apinode_admin_cli.emulator import start_emulator
from apinode_admin_cli.emulator.options import MAX_DELAY_MS

BOUND_S = 10  # stopping takes about 2 s; before the fix it took minutes


def assert_stops(handle) -> None:
    stopper = threading.Thread(target=handle.stop, daemon=True)
    stopper.start()
    stopper.join(BOUND_S)
    assert not stopper.is_alive(), "stop() is still waiting for a client"


def slow_body_client(port: int, key: str) -> socket.socket:
    """A client that sends headers and 10 of the 1000 bytes it promised, then nothing."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    auth = base64.b64encode(f"{key}:".encode()).decode()
    conn.sendall(
        b"POST /admin/api/services HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
        + f"Authorization: Basic {auth}\r\nExpect: 100-continue\r\n\r\n".encode()
    )
    assert conn.recv(1024).startswith(b"HTTP/1.1 100")  # the server now reads the body
    conn.sendall(b'{"serviceI')
    return conn


def test_a_client_sending_its_body_slowly(tmp_path):
    node = start_emulator(data_dir=tmp_path)
    client = slow_body_client(node.port, node.admin_key)
    try:
        assert_stops(node)
    finally:
        client.close()
    assert node.app.store.read()["services"] == {}  # the truncated request was not applied


def test_silent_tls_clients(tmp_path):
    trustme = pytest.importorskip("trustme")
    import ssl

    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    node = start_emulator(data_dir=tmp_path / "d", ssl_context=context)
    silent = [socket.create_connection(("127.0.0.1", node.port), timeout=10) for _ in range(20)]
    try:
        # Accepted in order: once this answer comes, the 20 silent ones are being handshaken.
        assert requests.get(node.uri + "/isAlive", verify=str(bundle), timeout=10).ok
        assert_stops(node)
    finally:
        for conn in silent:
            conn.close()


def test_failed_tls_handshakes_leave_no_connection_behind(tmp_path):
    trustme = pytest.importorskip("trustme")
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(context)
    with start_emulator(data_dir=tmp_path, ssl_context=context) as node:
        for _ in range(3):
            with pytest.raises(requests.exceptions.SSLError):
                requests.get(node.uri + "/isAlive", timeout=10)  # an unknown authority
        # Else stop() would wait its whole grace period for connections long gone.
        assert node._server.wait_connections(BOUND_S)


def test_slowloris_headers(emulator):
    conn = socket.create_connection(("127.0.0.1", emulator.port), timeout=10)
    conn.sendall(b"GET /isAlive HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")  # never finished
    try:
        assert requests.get(emulator.uri + "/isAlive", timeout=10).ok  # accepted after it
        assert_stops(emulator)
    finally:
        conn.close()


def test_a_queued_delay_ends_at_stop(tmp_path):
    node = start_emulator(data_dir=tmp_path)
    node.add_fault(path="/isAlive", delayMs=MAX_DELAY_MS)
    result: dict = {}
    client = threading.Thread(
        target=lambda: result.update(r=requests.get(node.uri + "/isAlive", timeout=30))
    )
    client.start()
    while not node.received:  # journaled just before the fault plays
        client.join(0.01)
    assert_stops(node)
    client.join(BOUND_S)
    assert result["r"].status_code == 200  # answered, only sooner


@pytest.mark.parametrize("delay", [MAX_DELAY_MS + 1, 10**12, -1])
def test_a_delay_above_the_maximum_is_refused(api, emulator, delay):
    answer = api("POST", "/__emulator__/faults", json={"path": "/isAlive", "delayMs": delay})
    assert_error(answer, 400, "delayMs", str(MAX_DELAY_MS))
    assert emulator.faults == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_on_a_signal_whatever_clients_do(tmp_path, sig):
    env = dict(os.environ, PYTHONUNBUFFERED="1", APINODE_EMULATOR_ADMIN_KEY="sig-key")
    proc = subprocess.Popen(
        [sys.executable, "-m", "apinode_admin_cli", "emulator", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        line = proc.stdout.readline()
        port = int(line.split()[3].rsplit(":", 1)[1])
        slow = slow_body_client(port, "sig-key")
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=BOUND_S)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        slow.close()
        idle.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
