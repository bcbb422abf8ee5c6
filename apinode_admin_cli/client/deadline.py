"""A total deadline per attempt, however slowly the node dribbles its answer.

requests' timeouts bound each socket operation, so a server sending one byte every 0.1 s (in the
headers or in the body) never trips them. Here every attempt runs under an ``AttemptWatch``: a
timer that, when the deadline passes, shuts down the sockets the attempt uses. Shutting a socket
down wakes a read or a write blocked on it in any thread, whatever the phase (TLS handshake,
headers, body), and the attempt then fails; the watch remembers that it fired so the caller
reports a timeout and never takes a cut-short body for a whole one.

The sockets are found through urllib3's pools: ``WatchedAdapter`` makes them create connections
that register each new socket, and register a pooled one each time it is taken for a request,
with the watch of the thread that is sending. Registration keeps a duplicate of the descriptor,
which stays valid while the TLS layer takes the original over, and is closed when the attempt
ends. Name resolution happens before any socket exists and is not covered.
"""

from __future__ import annotations

import socket
import threading
from typing import Any, Optional

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class DeadlinePassed(Exception):
    """Raised by the transport when an attempt ran past its deadline."""


class AttemptWatch:
    """Shut the current thread's attempt sockets down once ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._done = False
        self._previous: Optional[AttemptWatch] = None
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> AttemptWatch:
        self._previous = getattr(_current, "watch", None)
        _current.watch = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        _current.watch = self._previous
        with self._lock:
            self._done = True
            socks, self._socks = self._socks, []
            for sock in socks:
                sock.close()  # only the duplicate: the pool still owns the connection
        self._timer.cancel()

    def add(self, sock: socket.socket) -> None:
        """Watch ``sock`` (a connection of this attempt) until the attempt ends."""
        try:
            if sock.fileno() < 0:
                return
            dup = socket.fromfd(sock.fileno(), sock.family, sock.type, sock.proto)
        except (OSError, ValueError):
            return
        with self._lock:
            if self._done:
                dup.close()
                return
            self._socks.append(dup)
            if self.expired:
                _shutdown(dup)

    def _expire(self) -> None:
        # Under the lock, so that no duplicate is closed (and its number reused) meanwhile.
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock in self._socks:
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the other side or by urllib3


def _watch(sock: socket.socket) -> None:
    watch: Optional[AttemptWatch] = getattr(_current, "watch", None)
    if watch is not None:
        watch.add(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock


def _watch_pooled(conn: Any) -> Any:
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        _watch(sock)
    return conn


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection

    def _get_conn(self, timeout: Optional[float] = None) -> Any:
        return _watch_pooled(super()._get_conn(timeout))


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection

    def _get_conn(self, timeout: Optional[float] = None) -> Any:
        return _watch_pooled(super()._get_conn(timeout))


def _install(manager: Any) -> Any:
    manager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
    return manager


class WatchedAdapter(HTTPAdapter):
    """requests' adapter whose connections, direct or through an HTTP proxy, can be watched."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _install(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # SOCKS managers bring their own connection classes; they stay unwatched.
        return manager if proxy.lower().startswith("socks") else _install(manager)
