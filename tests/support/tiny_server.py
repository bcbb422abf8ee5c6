"""A misbehaving HTTP server on a free port, for answers the emulator cannot give.

Each connection gets the next responder given (the last one repeats), which writes raw bytes to
the socket; ``current_head()`` tells a responder what the request it answers looked like.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Callable, Optional

# Writes the whole answer (status line included) to the accepted socket.
Responder = Callable[[socket.socket], None]

_local = threading.local()


def current_head() -> bytes:
    """The request line and headers of the request being answered (for echoing responders)."""
    head: bytes = getattr(_local, "head", b"")
    return head


class TinyServer:
    """Accept connections on 127.0.0.1 and let the responders write raw bytes to each."""

    def __init__(self, respond: Responder, *then: Responder, read_head: bool = True) -> None:
        self.respond = respond
        self._read_head = read_head
        self._then = list(then)
        self.requests: list[bytes] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)  # closing a socket does not wake a blocked accept()
        self._stop = threading.Event()
        self.uri = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> TinyServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    @property
    def stopping(self) -> bool:
        """True once the test is over: long-running responders give up."""
        return self._stop.is_set()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(10)
            with conn:
                # Without reading the head, the responder speaks first (to a TLS client, say).
                head = _read_head(conn) if self._read_head else b""
                if head is None:
                    continue
                self.requests.append(head)
                _local.head = head
                respond = self.respond
                if self._then:
                    self.respond = self._then.pop(0)
                try:
                    respond(conn)
                except OSError:
                    pass  # the client gave up first, which is what some tests want


def _read_head(conn: socket.socket) -> Optional[bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data


def _head(status: str, fields: dict[str, str]) -> bytes:
    lines = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return lines.encode("latin-1") + b"\r\n"


def answer(status: str, body: bytes, headers: Optional[dict[str, str]] = None) -> Responder:
    """A responder sending one complete answer and closing the connection."""
    fields = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}

    def respond(conn: socket.socket) -> None:
        conn.sendall(_head(status, fields) + body)

    return respond


def json_answer(status: str, payload: object) -> Responder:
    """A complete JSON answer."""
    return answer(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})


def hang_up(conn: socket.socket) -> None:
    """Read the request, answer nothing, close: the answer is lost."""
    conn.shutdown(socket.SHUT_RDWR)


def drip(data: bytes, every: float = 0.05, limit: float = 4.0) -> Responder:
    """Send ``data`` one byte every ``every`` seconds, for at most ``limit`` seconds.

    Every read of the client gets a byte well within any per-read timeout, so only a deadline
    on the whole exchange stops it; ``limit`` bounds a test that lacks one.
    """

    def respond(conn: socket.socket) -> None:
        end = time.monotonic() + limit
        for i in range(len(data)):
            if time.monotonic() > end:
                return
            conn.sendall(data[i : i + 1])
            time.sleep(every)

    return respond


def drip_headers(body: bytes = b"[]", every: float = 0.05, limit: float = 4.0) -> Responder:
    """A 200 JSON answer whose status line and headers arrive a byte at a time."""
    fields = {"Content-Type": "application/json", "X-Padding": "p" * 200}
    fields.update({"Content-Length": str(len(body)), "Connection": "close"})
    return drip(_head("200 OK", fields) + body, every, limit)


def drip_body(body: bytes = b"[" + b" " * 400 + b"]", every: float = 0.05) -> Responder:
    """A 200 JSON answer whose headers come at once and whose body arrives a byte at a time."""
    fields = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    head = _head("200 OK", {**fields, "Connection": "close"})

    def respond(conn: socket.socket) -> None:
        conn.sendall(head)
        drip(body, every)(conn)

    return respond


def echo_error(status: str = "400 Bad Request") -> Responder:
    """A node-like JSON error whose message repeats the request's head, credentials included."""

    def respond(conn: socket.socket) -> None:
        text = current_head().decode("latin-1")
        auth = next((x for x in text.split("\r\n") if x.lower().startswith("authorization")), "")
        payload = {"errorType": "EchoError", "message": f"you sent {auth}", "detailedMessage": text}
        json_answer(status, payload)(conn)

    return respond
