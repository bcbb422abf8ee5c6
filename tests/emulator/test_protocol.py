"""Raw HTTP: truncated or ambiguous requests are refused and never applied; every answer is JSON."""

from __future__ import annotations

import base64
import json
import socket

import pytest

SERVICES = "/admin/api/services"


def exchange(emulator, raw: bytes, half_close: bool = False) -> tuple[int, dict, bytes]:
    """Send ``raw`` bytes, read the answer to the end: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as conn:
        conn.sendall(raw)
        if half_close:
            conn.shutdown(socket.SHUT_WR)  # the client is done: the server reads EOF next
        data = read_to_end(conn)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body[: int(headers.get("content-length", len(body)))]


def read_to_end(conn: socket.socket) -> bytes:
    """Everything the emulator sends on ``conn`` until it closes it."""
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk


def request(emulator, head: str, body: bytes = b"", **kw) -> tuple[int, dict, bytes]:
    auth = base64.b64encode(f"{emulator.admin_key}:".encode()).decode()
    lines = head.replace("AUTH", f"Authorization: Basic {auth}").strip().split("\n")
    text = "\r\n".join(line.strip() for line in lines) + "\r\n\r\n"
    return exchange(emulator, text.encode("latin-1") + body, **kw)


def assert_json_error(answer, status: int, *words: str) -> None:
    got, headers, body = answer
    assert got == status, body
    assert headers["content-type"] == "application/json"
    assert headers["dss-version"].endswith("-emulator")
    error = json.loads(body)
    assert set(error) == {"errorType", "message", "detailedMessage"}
    for word in words:
        assert word in error["message"], error["message"]


def services(emulator) -> list:
    return json.loads(request(emulator, f"GET {SERVICES} HTTP/1.1\nAUTH\nConnection: close")[2])


CREATE = f"POST {SERVICES} HTTP/1.1\nHost: x\nAUTH\nConnection: close\n"
BODY = b'{"serviceId": "smuggled"}'


def test_a_body_shorter_than_its_length_is_never_applied(emulator):
    head = CREATE + f"Content-Length: {len(BODY) + 10}\n"
    answer = request(emulator, head, BODY, half_close=True)
    assert_json_error(answer, 400, "Truncated", f"of {len(BODY) + 10} bytes")
    assert services(emulator) == []


@pytest.mark.parametrize("size", ["-5", "-1", "+5", "0x5", "5_0", "zz", ""])
def test_a_malformed_chunk_size_is_a_400(emulator, size):
    head = CREATE + "Transfer-Encoding: chunked\n"
    body = f"{size}\r\n".encode() + BODY + b"\r\n0\r\n\r\n"
    assert_json_error(request(emulator, head, body, half_close=True), 400, "chunk")
    assert services(emulator) == []


@pytest.mark.parametrize(
    "body",
    [
        b"5\r\n" + BODY[:5],  # the input ends inside a chunk
        f"{len(BODY):x}\r\n".encode() + BODY + b"\r\n",  # no last chunk
        f"{len(BODY):x}\r\n".encode() + BODY + b"\r\n0\r\n",  # no end of trailers
        f"{len(BODY) - 3:x}\r\n".encode() + BODY + b"\r\n0\r\n\r\n",  # a chunk longer than said
    ],
    ids=["mid-chunk", "no-last-chunk", "no-trailer-end", "size-lies"],
)
def test_a_truncated_chunked_body_is_never_applied(emulator, body):
    head = CREATE + "Transfer-Encoding: chunked\n"
    assert_json_error(request(emulator, head, body, half_close=True), 400, "chunked body")
    assert services(emulator) == []


def test_a_valid_chunked_body_with_extensions_and_trailers(emulator):
    head = CREATE + "Transfer-Encoding: Chunked\n"
    body = b"3;ext=1\r\n" + BODY[:3] + b"\r\n" + f"{len(BODY) - 3:X}\r\n".encode()
    body += BODY[3:] + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
    status, _, answer = request(emulator, head, body)
    assert status == 200, answer
    assert [s["serviceId"] for s in services(emulator)] == ["smuggled"]


@pytest.mark.parametrize(
    "headers, words",
    [
        ([f"Content-Length: {len(BODY)}"] * 2, ["2 Content-Length"]),
        ([f"Content-Length: {len(BODY)}", "Content-Length: 3"], ["Content-Length"]),
        ([f"Content-Length: {len(BODY)}, {len(BODY)}"], ["Invalid Content-Length"]),
        ([f"Content-Length: +{len(BODY)}"], ["Invalid Content-Length"]),
        ([f"Content-Length: {len(BODY)}", "Transfer-Encoding: chunked"], ["Ambiguous"]),
        (["Transfer-Encoding: chunked", "Transfer-Encoding: chunked"], ["not supported"]),
    ],
    ids=["same-twice", "differing", "list", "signed", "both-framings", "two-encodings"],
)
def test_ambiguous_framing_is_refused(emulator, headers, words):
    head = CREATE + "\n".join(headers) + "\n"
    answer = request(emulator, head, BODY, half_close=True)
    assert_json_error(answer, 400 if "supported" not in words[0] else 501, *words)
    assert services(emulator) == []


def test_an_unknown_transfer_encoding_is_a_501(emulator):
    head = CREATE + "Transfer-Encoding: gzip\n"
    assert_json_error(request(emulator, head, BODY, half_close=True), 501, "gzip")


@pytest.mark.parametrize(
    "raw, status",
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),  # TLS to a plain port
        (b"GET /isAlive HTTP/1.1 extra\r\n\r\n", 400),
        (b"GET /isAlive HTTP/9.9\r\n\r\n", 505),
        (b"GET /isAlive\r\n\r\n", 400),  # HTTP/0.9: no status line could be sent back
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET /isAlive HTTP/1.1\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n", 431),
        (b"GET /isAlive HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 101 + b"\r\n", 431),
        (b"BREW /isAlive HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    ],
    ids=["garbage", "tls", "four-words", "version", "http09", "414", "431-long", "431-many", "501"],
)
def test_the_standard_librarys_refusals_are_json(emulator, raw, status):
    assert_json_error(exchange(emulator, raw), status)


def test_a_refused_request_line_never_reaches_the_log(tmp_path):
    import io

    from apinode_admin_cli.emulator import start_emulator

    log = io.StringIO()
    with start_emulator(data_dir=tmp_path, admin_key="k", log_stream=log) as node:
        exchange(node, b"DELETE /admin/api/keys/TOPSECRET HTTP/1.1 x\r\n\r\n")
        exchange(node, b"BREW /admin/api/keys/TOPSECRET\x1b[2J HTTP/1.1\r\n\r\n")
    lines = log.getvalue().splitlines()
    assert len(lines) == 2 and "TOPSECRET" not in log.getvalue(), lines
    assert lines[0].endswith('"-" 400') and '"BREW /admin/api/keys/***" 501' in lines[1]
    assert "\x1b" not in log.getvalue()


def test_header_names_are_read_whatever_their_case_and_a_continue_is_sent(emulator):
    # The emulator reads request heads itself (wire.read_fields): names in any case, values
    # as sent, an Expect: 100-continue answered before the body is read.
    head = CREATE.replace("Connection: close\n", "") + (
        f"content-LENGTH: {len(BODY)}\nEXPECT: 100-continue\nConnection: close\n"
    )
    auth = base64.b64encode(f"{emulator.admin_key}:".encode()).decode()
    text = head.replace("AUTH", f"Authorization: Basic {auth}").replace("\n", "\r\n") + "\r\n"
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as conn:
        conn.sendall(text.encode("latin-1"))
        assert conn.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n")
        conn.sendall(BODY)
        answer = read_to_end(conn)
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert [s["serviceId"] for s in services(emulator)] == ["smuggled"]


@pytest.mark.parametrize(
    "version, connection, kept",
    [
        ("HTTP/1.1", "", True),
        ("HTTP/1.1", "close", False),
        ("HTTP/1.0", "", False),
        ("HTTP/1.0", "keep-alive", True),
    ],
)
def test_a_connection_is_kept_as_the_version_and_connection_header_say(
    emulator, version, connection, kept
):
    line = f"Connection: {connection}\r\n" if connection else ""
    raw = f"GET /isAlive {version}\r\nHost: x\r\n{line}\r\n".encode()
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as conn:
        conn.sendall(raw)
        assert _one_answer(conn).startswith(b"HTTP/1.1 200 ")
        try:
            conn.sendall(raw)
            second = _one_answer(conn)
        except OSError:  # reset: the emulator had closed the connection
            second = b""
    assert second.startswith(b"HTTP/1.1 200 ") is kept


def _one_answer(conn: socket.socket) -> bytes:
    """One answer's head and body (by its Content-Length); b"" when the connection ended."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


def test_a_short_request_line_other_than_get_is_refused_by_name(emulator):
    assert_json_error(exchange(emulator, b"POST /isAlive\r\n\r\n"), 400, "HTTP/0.9", "POST")
