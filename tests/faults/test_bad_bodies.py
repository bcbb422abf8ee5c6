"""Answers that are not what a node sends: proxy pages, broken JSON, empty and gigantic bodies."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from support.cli import RunCli
from support.fault_server import TinyServer, answer
from support.faults import assert_failed

SERVICES = "/admin/api/services"
PROXY_PAGE = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def test_proxy_html_page_on_get(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(
        method="GET", path=SERVICES, status=502, body=PROXY_PAGE, retryAfter=0, count=2
    )
    result = node_cli("--retries", "2", "services", "list")
    first = assert_failed(result, 7, "HTTP 502", "HTML page", "proxy")
    assert "nginx" not in first and "<html>" not in result.stderr


def test_proxy_html_page_on_post(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="POST", path=SERVICES, status=502, body=PROXY_PAGE)
    result = node_cli("services", "create", "s", "-o", "json")
    assert_failed(result, 7, "HTML page")
    assert '"status": 502' in result.stderr


def test_proxy_html_login_page_with_200(node_cli: RunCli, emulator: Any) -> None:
    # No API node answers with a page: a portal (or a web server) answered in its place.
    page = "<!DOCTYPE html><html><body>Sign in to the corporate portal</body></html>"
    emulator.add_fault(method="GET", path=SERVICES, status=200, body=page)
    result = node_cli("services", "list")
    assert_failed(result, 7, "does not look like an API node", "HTTP 200", "HTML")
    assert "/isAlive/" in result.stderr.splitlines()[1]


@pytest.mark.parametrize(
    "command",
    [("services", "create", "s2"), ("services", "switch-to-newest", "s"), ("keys", "list")],
)
def test_an_html_page_with_200_is_not_a_node_for_any_command(
    node_cli: RunCli, emulator: Any, command: tuple[str, ...]
) -> None:
    assert node_cli("services", "create", "s").exit_code == 0
    page = "<html><body>It works!</body></html>"
    emulator.add_fault(path="/admin/api", status=200, body=page, contentType="text/html")
    result = node_cli(*command)
    assert_failed(result, 7, "does not look like an API node", "with an HTML page (text/html)")
    assert result.stdout == ""


@pytest.mark.parametrize(
    "command", [("services", "list"), ("metrics", "show"), ("generations", "list", "s")]
)
def test_invalid_json_with_200(node_cli: RunCli, emulator: Any, command: tuple[str, ...]) -> None:
    assert node_cli("services", "create", "s").exit_code == 0
    emulator.add_fault(method="GET", path="/admin/api", status=200, body='[{"serviceId": "s",')
    assert_failed(node_cli(*command), 1, "invalid JSON")


def test_empty_body_with_200_on_a_list(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=200, body="")
    assert_failed(node_cli("services", "list"), 1, "empty")


def test_empty_body_with_200_on_an_action_is_success(node_cli: RunCli, emulator: Any) -> None:
    assert node_cli("services", "create", "s").exit_code == 0
    emulator.add_fault(method="POST", path=SERVICES + "/s/actions/enable", status=200, body="")
    result = node_cli("services", "enable", "s")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("status", [400, 401, 404, 409])
def test_a_4xx_with_an_empty_body_is_not_an_api_node(
    node_cli: RunCli, emulator: Any, status: int
) -> None:
    # An API node explains its errors in JSON: an empty 4xx comes from something else.
    emulator.add_fault(method="GET", path=SERVICES, status=status, body="")
    words = ("does not look like an API node", f"HTTP {status}", "empty body")
    assert_failed(node_cli("services", "list"), 7, *words)


def test_a_5xx_with_an_empty_body_is_a_server_error(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(method="GET", path=SERVICES, status=500, body="")
    assert_failed(node_cli("services", "list"), 7, "HTTP 500", "empty body")


def test_plain_text_error_is_quoted_on_one_line(node_cli: RunCli, emulator: Any) -> None:
    text = "upstream connect error\nor disconnect/reset before headers\n" + "x" * 500
    emulator.add_fault(method="GET", path=SERVICES, status=503, body=text, retryAfter=0, count=3)
    first = assert_failed(
        node_cli("--retries", "3", "services", "list"), 7, "upstream connect error"
    )
    assert "disconnect" not in first


def test_gigantic_declared_body_is_refused_unread(run_cli: RunCli) -> None:
    def respond(conn: socket.socket) -> None:
        head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        conn.sendall(f"{head}Content-Length: {50 * 2**30}\r\n\r\n[".encode())

    with TinyServer(respond) as server:
        result = run_cli("--uri", server.uri, "--api-key", "secret-key", "services", "list")
    assert_failed(result, 1, "larger than")


def test_gigantic_streamed_body_is_cut_off(run_cli: RunCli) -> None:
    block = b"[" + b" " * (2**20 - 1)

    def respond(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
        for _ in range(80):  # 80 MiB, more than the 64 MiB limit; no length announced
            conn.sendall(block)

    with TinyServer(respond) as server:
        result = run_cli("--uri", server.uri, "--api-key", "secret-key", "services", "list")
    assert_failed(result, 1, "larger than")


def test_not_json_from_a_tiny_server_that_is_not_a_node(run_cli: RunCli) -> None:
    hello = answer("200 OK", b"Hello, world!", {"Content-Type": "text/plain"})
    with TinyServer(hello) as server:
        result = run_cli("--uri", server.uri, "--api-key", "secret-key", "keys", "list")
    assert_failed(result, 1, "invalid JSON")
