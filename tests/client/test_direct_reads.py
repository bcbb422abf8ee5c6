"""Plain reads go out on the pool's connections and their answers are read by client/direct.py.

Each test serves raw bytes from a tiny server, so every way HTTP/1.1 may frame an answer
(length, chunks, the end of the connection, 1xx first, encodings) is read as requests reads it,
and a kept connection is reused only when the answer left it in step.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
import zlib
from typing import Any

import pytest
from support.fault_server import KEY, TinyServer, answer

from apinode_admin_cli.client import APINodeAdminClient, direct
from apinode_admin_cli.client.transport import Transport
from apinode_admin_cli.errors import ConnectionFailure

LISTED = [{"serviceId": "s", "enabled": True}]
BODY = json.dumps(LISTED).encode()
PATH = ["admin", "api", "services"]
REFUSED = b"HTTP/1.1 500 Not Expected\r\nContent-Length: 0\r\n\r\n"


def _raw(head: str, body: bytes = b"") -> bytes:
    return head.replace("\n", "\r\n").encode("latin-1") + b"\r\n" + body


def _kept(*answers: bytes, heads: list[bytes], close: bool = False) -> Any:
    """A responder answering one request after another on the same connection.

    Past its answers it waits for the client to close the connection (unless ``close``); a
    request that comes instead is recorded in ``heads`` and refused.
    """

    def respond(conn: socket.socket) -> None:
        pending = b""
        for number, raw in enumerate([*answers, REFUSED]):
            if number:  # the first head was read by the server already
                while b"\r\n\r\n" not in pending:
                    more = conn.recv(65536)
                    if not more:
                        heads.append(b"")  # the client closed the connection
                        return
                    pending += more
                head, _, pending = pending.partition(b"\r\n\r\n")
                heads.append(head)
            conn.sendall(raw)
            if close and number == len(answers) - 1:
                return

    return respond


def _in_pieces(raw: bytes, size: int) -> Any:
    """A responder sending the answer a few bytes at a time: every boundary gets crossed."""

    def respond(conn: socket.socket) -> None:
        for start in range(0, len(raw), size):
            conn.sendall(raw[start : start + size])
            time.sleep(0.0005)

    return respond


def _ok(body: bytes = BODY, *fields: str) -> bytes:
    lines = "".join(f"{field}\n" for field in fields)
    return _raw(f"HTTP/1.1 200 OK\nContent-Length: {len(body)}\n{lines}", body)


def test_a_direct_read_sends_the_very_bytes_requests_sends(monkeypatch: Any) -> None:
    listed = answer("200 OK", BODY)
    with TinyServer(listed) as tiny:
        with APINodeAdminClient(tiny.uri, KEY) as client:
            assert client.list_services() == LISTED
        monkeypatch.setattr(direct, "route_for", lambda *args, **kwargs: None)
        with APINodeAdminClient(tiny.uri, KEY) as client:
            assert client.list_services() == LISTED
    ours, theirs = tiny.requests
    assert ours == theirs
    assert ours.startswith(b"GET /admin/api/services HTTP/1.1\r\nHost: 127.0.0.1:")


def test_a_kept_connection_carries_the_next_reads() -> None:
    heads: list[bytes] = []
    keep = _kept(_ok(), _ok(), _ok(), heads=heads)
    with TinyServer(keep) as tiny:
        with APINodeAdminClient(tiny.uri, KEY) as client:
            assert [client.list_services() for _ in range(3)] == [LISTED] * 3
        # Closing the client closes the kept connection at once.
        waited = time.monotonic()
        while heads[-1:] != [b""] and time.monotonic() - waited < 3:
            time.sleep(0.01)
    # One connection (the server's first head), the two later reads on it, then its end.
    assert len(tiny.requests) == 1 and len(heads) == 3 and heads[-1] == b""


@pytest.mark.parametrize(
    "first",
    [
        _ok(BODY, "Connection: close"),
        _ok(BODY) + b"\r\n",  # bytes past the body: the connection is out of step
        _raw(f"HTTP/1.1 200 OK\nContent-Length: {len(BODY)}\nContent-Length: {len(BODY)}\n")
        + BODY
        + b"junk",
    ],
    ids=["connection-close", "bytes-past-the-body", "same-length-twice"],
)
def test_a_connection_left_out_of_step_is_not_used_again(first: bytes) -> None:
    heads: list[bytes] = []
    with (
        TinyServer(_kept(first, heads=heads), answer("200 OK", BODY)) as tiny,
        APINodeAdminClient(tiny.uri, KEY) as client,
    ):
        assert client.list_services() == LISTED
        assert client.list_services() == LISTED
    assert len(tiny.requests) == 2 and heads in ([], [b""])


def test_an_answer_without_a_length_ends_with_its_connection() -> None:
    to_the_end = _raw("HTTP/1.0 200 OK\n", BODY)
    with (
        TinyServer(_kept(to_the_end, heads=[], close=True)) as tiny,
        APINodeAdminClient(tiny.uri, KEY) as client,
    ):
        assert client.list_services() == LISTED
        assert client.list_services() == LISTED
    assert len(tiny.requests) == 2


def test_a_chunked_answer_in_small_pieces_with_extensions_and_a_trailer() -> None:
    chunks = b"".join(
        b"%x;name=value\r\n%s\r\n" % (len(BODY[i : i + 7]), BODY[i : i + 7])
        for i in range(0, len(BODY), 7)
    )
    raw = _raw("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n", chunks + b"0\r\nX-Sum: 1\r\n\r\n")
    heads: list[bytes] = []
    with TinyServer(_in_pieces(raw, 5)) as tiny, APINodeAdminClient(tiny.uri, KEY) as client:
        assert client.list_services() == LISTED
    with (
        TinyServer(_kept(raw, raw, heads=heads)) as tiny,
        APINodeAdminClient(tiny.uri, KEY) as client,
    ):
        assert client.list_services() == LISTED
        assert client.list_services() == LISTED  # the trailer read, the connection kept
    assert len(tiny.requests) == 1 and heads[0].startswith(b"GET ")


@pytest.mark.parametrize(
    "coding,encoded",
    [
        ("gzip", gzip.compress(BODY)),
        ("x-gzip", gzip.compress(BODY[:10]) + gzip.compress(BODY[10:])),  # two members
        ("deflate", zlib.compress(BODY)),
        ("deflate", zlib.compress(BODY)[2:-4]),  # raw deflate, as some servers send it
    ],
    ids=["gzip", "gzip-two-members", "deflate", "raw-deflate"],
)
def test_gzip_and_deflate_answers_are_decoded(coding: str, encoded: bytes) -> None:
    raw = _ok(encoded, f"Content-Encoding: {coding}")
    with TinyServer(_in_pieces(raw, 9)) as tiny, APINodeAdminClient(tiny.uri, KEY) as client:
        assert client.list_services() == LISTED
    assert len(tiny.requests) == 1


def test_an_answer_in_another_encoding_is_read_again_by_requests() -> None:
    # requests leaves an encoding it does not know as it is: here, plain JSON all along.
    odd = _ok(BODY, "Content-Encoding: x-odd")
    with (
        TinyServer(_kept(odd, heads=[]), _kept(odd, heads=[])) as tiny,
        APINodeAdminClient(tiny.uri, KEY) as client,
    ):
        assert client.list_services() == LISTED
    assert len(tiny.requests) == 2


def test_a_continue_before_the_answer_is_skipped_and_the_head_read_as_http_client_reads_it() -> (
    None
):
    raw = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 Fine Thanks\nContent-Length: %d\nX-Seen: a\nX-Seen: b\n"
        b"X-Folded: one\r\n  two\r\n\r\n%s" % (len(BODY), BODY)
    )
    with TinyServer(_in_pieces(raw, 4)) as tiny:
        transport = Transport(tiny.uri, KEY)
        try:
            result = transport.request("GET", PATH)
        finally:
            transport.close()
    assert result.json() == LISTED
    assert (result.status, result.reason) == (200, "Fine Thanks")
    assert result.headers["x-seen"] == "a, b"
    assert result.headers["X-FOLDED"] == "one two"
    assert list(result.headers) == ["Content-Length", "X-Seen", "X-Folded"]  # as sent
    assert dict(result.headers.lower_items())["x-seen"] == "a, b"


@pytest.mark.parametrize(
    "raw",
    [
        _raw("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n", b"zz\r\n" + BODY),
        _raw("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n", b"%x\r\n%s" % (len(BODY), BODY)),
        _ok(BODY)[:-5],
        _ok(gzip.compress(BODY)[:-9] + b"garbage!!", "Content-Encoding: gzip"),
        _raw("HTTP/1.1 200 OK\nContent-Length: 3\nContent-Length: 4\n", b"[] "),
        _raw("HTTP/2 200 OK\n", BODY),
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"x" * 70000 + b"\r\n\r\n",
    ],
    ids=[
        "bad-chunk-size",
        "chunks-cut",
        "body-cut",
        "bad-gzip",
        "lengths-disagree",
        "unknown-version",
        "long-header",
    ],
)
def test_a_broken_answer_is_a_clean_failure(raw: bytes) -> None:
    with (
        TinyServer(_in_pieces(raw, 4096)) as tiny,
        APINodeAdminClient(tiny.uri, KEY, retries=1) as client,
        pytest.raises(ConnectionFailure) as caught,
    ):
        client.list_services()
    assert tiny.uri.split("//")[1] in caught.value.message
    assert KEY not in caught.value.message
