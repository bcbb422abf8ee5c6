"""The listening server: it tracks its connections so that stopping is quick and bounded."""

from __future__ import annotations

import selectors
import socket
import threading
import time
import traceback
from http.server import ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any

GRACE_S = 1.5  # how long requests in flight get to finish when the emulator stops
CLOSE_WAIT_S = 1.0  # then how long their threads get to end once their sockets are shut


class QuietServer(ThreadingHTTPServer):
    """A threading server whose accept loop sleeps until a connection comes or it is ended.

    socketserver's loop wakes every poll interval to see whether it should stop; this one
    also waits on a socket that :meth:`end_loop` writes to, so an idle server costs no CPU.
    """

    # Threads are joined with a bound by their owner, not by server_close() without one.
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: Any) -> None:
        self.stopping = False
        self._wake_r, self._wake_w = socket.socketpair()  # ends the accept loop's wait
        self._served = threading.Event()
        self.own_loop = False  # set before a thread runs serve_until_stopped, else serve_forever
        super().__init__(address, handler)

    def serve_until_stopped(self) -> None:
        """Accept connections until :meth:`end_loop`, waking only when there is something to do."""
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_r, selectors.EVENT_READ)
                while not self.stopping:
                    for key, _ in selector.select():
                        if key.fileobj is self and not self.stopping:
                            self._handle_request_noblock()  # type: ignore[attr-defined]
                    self.service_actions()
        finally:
            self._served.set()

    def end_loop(self) -> None:
        """Stop accepting: the accept loop, whichever runs, ends within a moment."""
        self.stopping = True
        if self.own_loop:
            try:
                self._wake_w.send(b"x")
            except OSError:
                pass
            self._served.wait(10)
        else:
            self.shutdown()

    def server_close(self) -> None:
        super().server_close()
        self._wake_r.close()
        self._wake_w.close()


class EmulatorHTTPServer(QuietServer):
    """A threading server whose stop lets requests finish for a moment, then cuts the rest."""

    request_queue_size = 128  # socketserver's 5 resets bursts of concurrent clients

    def __init__(self, address: tuple[str, int], app: Any, ssl_context: Any = None) -> None:
        from apinode_admin_cli.emulator.handler import EmulatorHandler

        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self.stop_event = threading.Event()  # ends delays early when the emulator stops
        self._conn_lock = threading.Condition()
        self._idle: dict[Any, bool] = {}
        super().__init__(address, EmulatorHandler)
        if ssl_context is not None:
            # The handshake runs in the connection's thread, so a silent client blocks no one.
            self.socket = ssl_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall for seconds.
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def set_idle(self, handler: Any, idle: Any) -> None:
        """Record whether a connection waits for its next request (None: it is gone)."""
        with self._conn_lock:
            if idle is None:
                self._idle.pop(handler, None)
                self._conn_lock.notify_all()
            else:
                self._idle[handler] = bool(idle)

    def close_connections(self, idle_only: bool) -> None:
        """Shut the sockets of idle connections (or of all): their blocked reads end at once."""
        with self._conn_lock:
            chosen = [h for h, idle in self._idle.items() if idle or not idle_only]
        for handler in chosen:
            try:
                # The plain socket's method: an SSLSocket's would drop its TLS state under
                # the feet of the thread still using it.
                socket.socket.shutdown(handler.connection, socket.SHUT_RDWR)
            except OSError:
                pass

    def wait_connections(self, timeout: float) -> bool:
        """Wait until no connection is open; False if some still are after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._conn_lock:
            while self._idle:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._conn_lock.wait(left)
        return True

    def stop(self) -> None:
        """Stop accepting, let requests in flight finish within GRACE_S, then cut the others."""
        self.stop_event.set()
        self.end_loop()
        self.close_connections(idle_only=True)
        if not self.wait_connections(GRACE_S):
            self.close_connections(idle_only=False)
            self.wait_connections(CLOSE_WAIT_S)
        self.server_close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Client resets and failed TLS handshakes are routine: one line, no traceback.
        if not self.stopping:
            reason = traceback.format_exc(limit=0).strip().splitlines()[-1]
            self.app.log(f"{client_address[0]} connection error: {reason}")
