"""One misbehaving server on a free port, for answers the emulators cannot give.

Both kinds share the socket, the accept thread and the lifecycle (``with Server(...) as s``):

- ``TinyServer`` hands each connection to the next raw responder (the last one repeats), which
  writes bytes straight to the socket: broken status lines, dripping bodies, hang-ups, or bytes
  before the request is read (what a TLS client chokes on).
- ``RecordingServer`` speaks real HTTP/1.1 on each connection (keep-alive, optional TLS),
  records every request and plays answers queued per (method, path).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urlsplit

# The admin key every client test uses: recognisable, so a leak is easy to spot.
KEY = "SECRET-KEY-1234567890"


class _Listener:
    """Accept connections on 127.0.0.1 and give each to ``_connection`` until the test ends."""

    def __init__(self, *, threaded: bool, tls: Optional[ssl.SSLContext] = None) -> None:
        self._threaded = threaded
        self._tls = tls
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.05)  # closing a socket does not wake a blocked accept()
        self._stop = threading.Event()
        self.port: int = self._sock.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.uri = self.url
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Any:
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
                conn, address = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(10)
            if self._threaded:
                args = (conn, address)
                threading.Thread(target=self._guarded, args=args, daemon=True).start()
            else:
                self._guarded(conn, address)

    def _guarded(self, conn: socket.socket, address: Any) -> None:
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
            with conn:
                self._connection(conn, address)
        except OSError:
            conn.close()  # the client gave up or refused the handshake, which some tests want

    def _connection(self, conn: socket.socket, address: Any) -> None:
        raise NotImplementedError


# Writes the whole answer (status line included) to the accepted socket.
Responder = Callable[[socket.socket], None]

_local = threading.local()


def current_head() -> bytes:
    """The request line and headers of the request being answered (for echoing responders)."""
    head: bytes = getattr(_local, "head", b"")
    return head


class TinyServer(_Listener):
    """Connections served one after the other, each by the next responder given."""

    def __init__(self, respond: Responder, *then: Responder, read_head: bool = True) -> None:
        super().__init__(threaded=False)
        self.respond = respond
        self._read_head = read_head
        self._then = list(then)
        self.requests: list[bytes] = []

    def _connection(self, conn: socket.socket, address: Any) -> None:
        # Without reading the head, the responder speaks first (to a TLS client, say).
        head = _read_head(conn) if self._read_head else b""
        if head is None:
            return
        self.requests.append(head)
        _local.head = head
        respond = self.respond
        if self._then:
            self.respond = self._then.pop(0)
        respond(conn)


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


# Unqueued GETs of these answer [] as a node would; any other request answers {"ok": true}.
_LISTS = ("/admin/api/services", "/admin/api/keys")


@dataclass
class Recorded:
    """One request as it arrived on the socket."""

    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    client_port: int = 0


@dataclass
class Answer:
    """What to send back; ``action``: "drop" (no answer), "truncate" or "unsized" (no length)."""

    status: int = 200
    body: bytes = b'{"ok": true}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0
    action: Optional[str] = None


class RecordingServer(_Listener):
    """Connections served concurrently over HTTP/1.1; answers queued per (method, path)."""

    def __init__(self, tls: Optional[ssl.SSLContext] = None) -> None:
        super().__init__(threaded=True, tls=tls)
        self.requests: list[Recorded] = []
        self._answers: dict[tuple[str, str], deque[Answer]] = defaultdict(deque)
        self.default = Answer()
        self.empty_list = Answer(body=b"[]")
        self._lock = threading.Lock()
        self._handler = _handler_for(self)

    def _connection(self, conn: socket.socket, address: Any) -> None:
        self._handler(conn, address, None)  # handles requests until the connection closes

    def _take(self, method: str, path: str) -> Answer:
        with self._lock:
            queue = self._answers.get((method, path))
            if queue:
                return queue.popleft()
            if method == "GET" and path.rstrip("/").endswith(_LISTS):
                return self.empty_list
            return self.default

    def queue(
        self,
        method: str,
        path: str,
        status: int = 200,
        json_body: Any = None,
        *,
        body: Optional[bytes] = None,
        headers: Optional[dict[str, str]] = None,
        delay: float = 0.0,
        action: Optional[str] = None,
    ) -> None:
        """Answer the next ``method path`` with this (JSON by default)."""
        hdrs = {"Content-Type": "application/json"} if headers is None else dict(headers)
        if body is None:
            body = json.dumps(json_body if json_body is not None else {"ok": True}).encode()
        answer = Answer(status, body, hdrs, delay, action)
        with self._lock:
            self._answers[(method, path)].append(answer)

    def clear(self) -> None:
        """Forget recorded requests."""
        with self._lock:
            self.requests.clear()


def _handler_for(server: RecordingServer) -> Any:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            answer = server._take(self.command, parts.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            target = self.requestline.split(" ")[1]
            headers = dict(self.headers.items())
            rec = Recorded(
                self.command, target, parts.path, query, headers, body, self.client_address[1]
            )
            with server._lock:
                server.requests.append(rec)
            if answer.delay:
                time.sleep(answer.delay)
            if answer.action == "drop":
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._send(answer)

        def _send(self, answer: Answer) -> None:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            if answer.action == "unsized":
                # No length: the body ends when the connection closes.
                self.close_connection = True
                self.send_header("Connection", "close")
            else:
                declared = len(answer.body) * (2 if answer.action == "truncate" else 1)
                self.send_header("Content-Length", str(declared))
            self.end_headers()
            self.wfile.write(answer.body)
            if answer.action == "truncate":
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        do_GET = do_POST = do_DELETE = do_PUT = _handle

    return Handler
