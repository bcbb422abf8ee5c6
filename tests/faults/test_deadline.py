"""The timeout bounds a whole exchange, however slowly the server dribbles its answer."""

from __future__ import annotations

import time
from typing import Any

import pytest
from support.cli import RunCli
from support.fault_server import TinyServer, answer, drip, drip_body, drip_headers, json_answer
from support.faults import assert_failed

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.errors import ConfigError, ServerError, TimeoutFailure

KEY = "secret-key-1234567890"
# Thread start-up and scheduling on a loaded machine; the drips last 4 s or more.
MARGIN = 1.2


def _client(uri: str, **options: Any) -> APINodeAdminClient:
    return APINodeAdminClient(uri, KEY, backoff_base=0.01, **options)


@pytest.mark.parametrize("responder", [drip_headers(), drip_body()], ids=["headers", "body"])
def test_a_dripping_answer_is_cut_at_the_timeout(responder: Any) -> None:
    with TinyServer(responder) as server, _client(server.uri, timeout=0.5) as client:
        start = time.monotonic()
        with pytest.raises(TimeoutFailure) as info:
            client.list_services()
        elapsed = time.monotonic() - start
    assert elapsed < 0.5 + MARGIN
    assert "did not answer within 0.5 s" in info.value.message
    assert info.value.exit_code == 7
    assert len(server.requests) == 1  # a timeout is not retried, as before


@pytest.mark.parametrize("responder", [drip_headers(), drip_body()], ids=["headers", "body"])
def test_the_cli_timeout_holds_against_a_dripping_server(run_cli: RunCli, responder: Any) -> None:
    with TinyServer(responder) as server:
        start = time.monotonic()
        result = run_cli(
            "--uri", server.uri, "--api-key", KEY, "--timeout", "1", "services", "list"
        )
        elapsed = time.monotonic() - start
    assert_failed(result, 7, "did not answer within 1 s")
    assert elapsed < 1 + MARGIN


def test_a_dripping_tls_handshake_is_cut_at_the_timeout() -> None:
    # A TLS record header announcing 16 KiB, whose bytes then come one at a time.
    record = drip(b"\x16\x03\x03\x40\x00" + b"\x00" * 16384)
    server = TinyServer(record, read_head=False)
    start = time.monotonic()
    client = _client(server.uri.replace("http:", "https:"), timeout=0.5)
    with server, client, pytest.raises(TimeoutFailure, match="within 0.5 s"):
        client.list_services()
    assert time.monotonic() - start < 0.5 + MARGIN


def test_a_silent_tls_handshake_is_cut_at_the_connect_timeout_as_a_timeout() -> None:
    # TCP accepted, then not one byte: the handshake counts as connecting (urllib3's rule).
    def silent(conn: Any) -> None:
        time.sleep(1)  # well past the connect timeout

    server = TinyServer(silent, read_head=False)
    start = time.monotonic()
    client = _client(server.uri.replace("http:", "https:"), timeout=5, connect_timeout=0.3)
    with server, client, pytest.raises(TimeoutFailure, match="did not answer within"):
        client.list_services()
    assert time.monotonic() - start < 0.3 + MARGIN


def test_the_connection_is_usable_after_a_cut() -> None:
    server = TinyServer(drip_body(), json_answer("200 OK", []))
    with server, _client(server.uri, timeout=0.3) as client:
        with pytest.raises(TimeoutFailure):
            client.list_services()
        assert client.list_services() == []


def test_an_overall_deadline_shortens_the_attempt() -> None:
    server = TinyServer(drip_body())
    start = time.monotonic()
    with server, _client(server.uri, timeout=30, deadline=start + 0.4) as client:
        with pytest.raises(TimeoutFailure):
            client.list_services()
        assert time.monotonic() - start < 0.4 + MARGIN


def test_nothing_is_sent_once_the_overall_deadline_has_passed() -> None:
    server = TinyServer(json_answer("200 OK", []))
    client = _client(server.uri, deadline=time.monotonic() - 1)
    with server, client, pytest.raises(TimeoutFailure, match="overall deadline"):
        client.list_services()
    assert server.requests == []


def test_no_retry_waits_past_the_overall_deadline() -> None:
    busy = answer("503 Service Unavailable", b'{"message": "busy"}', {"Retry-After": "5"})
    waits: list[float] = []
    server = TinyServer(busy)
    deadline = time.monotonic() + 2
    client = _client(server.uri, deadline=deadline, sleep=waits.append)
    with server, client, pytest.raises(ServerError):
        client.list_services()
    assert waits == [] and len(server.requests) == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeout", 1e10),
        ("timeout", float("nan")),
        ("timeout", float("inf")),
        ("timeout", 0),
        ("timeout", -1),
        ("timeout", "soon"),
        pytest.param("timeout", 10**5000, id="timeout-5000-digits"),
        ("connect_timeout", 1e300),
        ("retries", float("inf")),
        ("retries", 2.5),
        ("backoff_base", float("nan")),
        ("deadline", float("nan")),
    ],
)
def test_absurd_numbers_are_a_config_error(name: str, value: Any) -> None:
    with pytest.raises(ConfigError) as info:
        APINodeAdminClient("http://127.0.0.1:1", KEY, **{name: value})
    assert name.replace("_", " ") in info.value.message or name in info.value.message
    assert len(info.value.message) < 200


@pytest.mark.parametrize("via", ["flag", "env"])
def test_a_huge_timeout_is_refused_not_a_crash(run_cli: RunCli, emulator: Any, via: str) -> None:
    args = ["--uri", emulator.uri, "--api-key", emulator.admin_key]
    env = {}
    if via == "flag":
        args += ["--timeout", "1e10"]
    else:
        env["APINODE_ADMIN_TIMEOUT"] = "1e10"
    result = run_cli(*args, "services", "list", env=env)
    assert result.exit_code in (2, 3), result.output
    assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    assert "timeout" in result.stderr.splitlines()[0].lower()
    assert emulator.received == []
