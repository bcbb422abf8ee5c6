"""A threaded stdlib HTTP server that records every request and plays canned answers."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional
from urllib.parse import parse_qs, urlsplit

# Unqueued GETs of these answer [] as a node would; any other request answers {"ok": true}.
_LISTS = ("/admin/api/services", "/admin/api/keys")

# The admin key every client test uses: recognisable, so a leak is easy to spot.
KEY = "SECRET-KEY-1234567890"


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


class RecordingServer:
    """Serve on 127.0.0.1 on a free port; queue answers per (method, path)."""

    def __init__(self, tls: Optional[ssl.SSLContext] = None) -> None:
        self.requests: list[Recorded] = []
        self._answers: dict[tuple[str, str], deque[Answer]] = defaultdict(deque)
        self.default = Answer()
        self.empty_list = Answer(body=b"[]")
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                rec = Recorded(
                    method=self.command,
                    target=self.requestline.split(" ")[1],
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                    client_port=self.client_address[1],
                )
                answer = server._take(self.command, parts.path)
                with server._lock:
                    server.requests.append(rec)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
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

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

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
