"""A one-answer-fits-all HTTP server on a free port, for answers the emulator cannot give."""

from __future__ import annotations

import socket
import threading
from typing import Callable, Optional

# Writes the whole answer (status line included) to the accepted socket.
Responder = Callable[[socket.socket], None]


class TinyServer:
    """Accept connections on 127.0.0.1 and let ``respond`` write raw bytes to each."""

    def __init__(self, respond: Responder) -> None:
        self.respond = respond
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
                head = _read_head(conn)
                if head is None:
                    continue
                self.requests.append(head)
                try:
                    self.respond(conn)
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


def answer(status: str, body: bytes, headers: Optional[dict[str, str]] = None) -> Responder:
    """A responder sending one complete answer and closing the connection."""
    fields = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())

    def respond(conn: socket.socket) -> None:
        conn.sendall(head.encode("latin-1") + b"\r\n" + body)

    return respond
