"""Pointed at something that is not an API node: say so and exit 7, never 'not found'."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.cli import RunCli
from support.fault_server import TinyServer, answer, json_answer
from support.faults import assert_failed

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.errors import NotAnAPINodeError, NotFoundError

KEY = "secret-key-1234567890"
PAGE = b"<!DOCTYPE html><html><body><h1>Not Found</h1></body></html>"
HTML_404 = answer("404 Not Found", PAGE, {"Content-Type": "text/html; charset=utf-8"})
HTML_200 = answer("200 OK", PAGE, {"Content-Type": "text/html"})


def _run(run_cli: RunCli, uri: str, *args: str) -> Any:
    return run_cli("--uri", uri, "--api-key", KEY, "--retries", "1", *args)


@pytest.mark.parametrize(
    "command",
    [
        ("services", "list"),
        ("services", "delete", "churn", "-y"),
        ("services", "enable", "churn"),
        ("generations", "list", "churn"),
        ("keys", "delete", "--id", "k1", "-y"),
        ("admin-key-delete", "SOME-OLD-KEY"),
        ("ping",),
    ],
)
def test_a_web_server_answering_404_is_not_an_api_node(
    run_cli: RunCli, command: tuple[str, ...]
) -> None:
    with TinyServer(HTML_404) as server:
        result = _run(run_cli, server.uri, *command)
    first = assert_failed(result, 7, "does not look like an API node", "HTTP 404", "text/html")
    assert server.uri in first
    assert "/isAlive/" in result.stderr and "--uri" in result.stderr


def test_ping_stops_at_a_failed_is_alive(run_cli: RunCli) -> None:
    with TinyServer(HTML_404) as server:
        result = _run(run_cli, server.uri, "ping")
    assert_failed(result, 7, "GET /isAlive/ answered HTTP 404")
    assert len(server.requests) == 1  # no admin request after that


def test_ping_refuses_a_server_that_answers_200_to_everything(run_cli: RunCli) -> None:
    with TinyServer(HTML_200) as server:
        result = _run(run_cli, server.uri, "ping")
    assert_failed(result, 7, "does not look like an API node", "HTTP 200", "HTML page")


@pytest.mark.parametrize(
    ("status", "body"),
    [("404 Not Found", b""), ("400 Bad Request", b"bad request"), ("409 Conflict", b"[1]")],
)
def test_any_4xx_without_the_nodes_json_error(run_cli: RunCli, status: str, body: bytes) -> None:
    with TinyServer(answer(status, body, {"Content-Type": "text/plain"})) as server:
        result = _run(run_cli, server.uri, "services", "create", "s", "-o", "json")
    assert_failed(result, 7, "does not look like an API node", f"HTTP {status.split()[0]}")
    error = json.loads(result.stderr.splitlines()[-1])["error"]
    assert error["status"] == int(status.split()[0])
    assert error["errorType"] == "NotAnAPINodeError"


def test_the_library_raises_a_connection_failure() -> None:
    with TinyServer(HTML_404) as server, APINodeAdminClient(server.uri, KEY) as client:
        with pytest.raises(NotAnAPINodeError) as info:
            client.service("s").delete()
        with pytest.raises(NotAnAPINodeError):
            client.ping()
    err = info.value
    assert err.exit_code == 7 and err.status == 404
    assert err.content_type == "text/html; charset=utf-8"
    assert not isinstance(err, NotFoundError)


def test_a_real_nodes_not_found_is_still_not_found(node_cli: RunCli) -> None:
    result = node_cli("services", "delete", "ghost", "-y")
    assert_failed(result, 5)
    result = node_cli("admin-key-delete", "NO-SUCH-KEY")
    assert result.exit_code == 0 and result.stdout.strip() == "KEY NOT FOUND"


def test_a_proxy_page_on_5xx_keeps_its_meaning_and_retries(node_cli: RunCli, emulator: Any) -> None:
    page = "<html><head><title>503</title></head><body>nginx</body></html>"
    emulator.add_fault(method="GET", path="/admin/api/services", status=503, body=page, count=1)
    result = node_cli("services", "list", "-o", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "[]\n"


LISTED = [{"serviceId": "other", "enabled": True}]


@pytest.mark.parametrize("status", ["301 Moved Permanently", "302 Found", "307 Temporary Redirect"])
@pytest.mark.parametrize(
    "command",
    [("services", "create", "churn"), ("services", "delete", "churn", "-y")],
)
def test_a_write_that_is_redirected_is_not_followed(
    run_cli: RunCli, status: str, command: tuple[str, ...]
) -> None:
    """Followed, a 301/302 turns a write into a GET whose 200 would pass for its success."""
    moved = answer(status, b"", {"Location": "/admin/api/services"})
    with TinyServer(moved, json_answer("200 OK", LISTED)) as server:
        result = _run(run_cli, server.uri, *command)
    first = assert_failed(result, 7, "does not look like an API node", status.split()[0])
    assert "redirect" in first and "/admin/api/services" in first
    assert len(server.requests) == 1, server.requests


def test_a_read_that_is_redirected_is_followed(run_cli: RunCli) -> None:
    moved = answer("301 Moved Permanently", b"", {"Location": "/moved/admin/api/services"})
    with TinyServer(moved, moved, json_answer("200 OK", LISTED)) as server:
        result = _run(run_cli, server.uri, "services", "list", "-o", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == LISTED
    # A plain read goes out directly; requests takes a redirect over, asks again and follows.
    assert [head.split(b" ")[1] for head in server.requests][-1] == b"/moved/admin/api/services"
