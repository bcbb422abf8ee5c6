"""A total deadline per attempt, however slowly the node dribbles its answer.

requests' timeouts bound each socket operation, so a server sending one byte every 0.1 s (in the
headers or in the body) never trips them. Here every attempt runs under an ``AttemptWatch``: when
its deadline passes, the sockets the attempt uses are shut down. Shutting a socket down wakes a
read or a write blocked on it in any thread, whatever the phase (TLS handshake, headers, body),
and the attempt then fails; the watch remembers that it fired so the caller reports a timeout and
never takes a cut-short body for a whole one.

One watchdog thread per process serves every attempt: it sleeps until the earliest deadline, so
an attempt costs a heap push, not a thread of its own (a fan-out of thousands of requests would
otherwise start thousands of timer threads).

The sockets are found through urllib3's pools: ``WatchedAdapter`` makes them register with the
watch of the sending thread each connection taken from the pool (its socket, plain or TLS, is
read when the deadline passes) and each socket they open. A socket about to be wrapped in TLS is
watched through a duplicate of its descriptor, because the TLS layer takes the original over;
that costs a ``dup`` per new TLS connection, none per request. Name resolution happens before
any socket exists and is not covered.
"""

from __future__ import annotations

import heapq
import itertools
import os
import socket
import threading
import time
from typing import Any, Optional

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class DeadlinePassed(Exception):
    """Raised by the transport when an attempt ran past its deadline."""


class _Watchdog:
    """The one thread that fires the watches whose deadline has passed, earliest first."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, AttemptWatch]] = []
        self._order = itertools.count()
        self._thread: Optional[threading.Thread] = None
        self._compact_at = 1024

    def add(self, when: float, watch: AttemptWatch) -> None:
        with self._cond:
            heap = self._heap
            # Finished watches leave the heap from the top as new ones come in: with one
            # timeout for every attempt the oldest is at the top, so the heap stays small.
            while heap and heap[0][2].finished:
                heapq.heappop(heap)
            if len(heap) >= self._compact_at:
                heap[:] = [entry for entry in heap if not entry[2].finished]
                heapq.heapify(heap)
                self._compact_at = max(1024, 2 * len(heap))
            heapq.heappush(heap, (when, next(self._order), watch))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="apinode-admin-deadlines", daemon=True
                )
                self._thread.start()
            elif heap[0][2] is watch:
                self._cond.notify()  # sooner than what the thread sleeps for

    def _run(self) -> None:
        heap = self._heap
        while True:
            due: list[AttemptWatch] = []
            with self._cond:
                while not due:
                    now = time.monotonic()
                    while heap and (heap[0][2].finished or heap[0][0] <= now):
                        watch = heapq.heappop(heap)[2]
                        if not watch.finished:
                            due.append(watch)
                    if not due:
                        # Nothing pending: sleep until an attempt starts (no idle polling).
                        self._cond.wait(heap[0][0] - now if heap else None)
            for watch in due:
                watch.expire()

    def forget(self) -> None:
        """In a forked child: the parent's thread does not exist there."""
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._thread = None


_WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WATCHDOG.forget)


class AttemptWatch:
    """Shut the current thread's attempt sockets down once ``seconds`` have passed."""

    __slots__ = ("_conns", "_dups", "_lock", "_previous", "expired", "finished", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self.finished = False
        self._lock = threading.Lock()
        self._conns: list[Any] = []
        self._dups: list[socket.socket] = []
        self._previous: Optional[AttemptWatch] = None

    def __enter__(self) -> AttemptWatch:
        self._previous = getattr(_current, "watch", None)
        _current.watch = self
        _WATCHDOG.add(time.monotonic() + max(self.seconds, 0.0), self)
        return self

    def __exit__(self, *exc: object) -> None:
        _current.watch = self._previous
        with self._lock:
            self.finished = True
            dups, self._dups = self._dups, []
            self._conns = []
        for dup in dups:
            dup.close()  # only the duplicate: the pool still owns the connection

    def add(self, sock: socket.socket, tls: bool = False) -> None:
        """Watch ``sock``, a socket this attempt opened, until the attempt ends."""
        if tls:
            # Wrapping detaches ``sock``; a duplicate keeps the descriptor reachable.
            try:
                if sock.fileno() < 0:
                    return
                sock = socket.fromfd(sock.fileno(), sock.family, sock.type, sock.proto)
            except (OSError, ValueError):
                return
        with self._lock:
            if self.finished:
                if tls:
                    sock.close()
                return
            if tls:
                self._dups.append(sock)
            else:
                self._conns.append(_Socket(sock))
            if self.expired:
                _shutdown(sock)

    def add_connection(self, conn: Any) -> None:
        """Watch a pooled connection: its socket at the time the deadline passes."""
        with self._lock:
            if self.finished:
                return
            self._conns.append(conn)
            if self.expired:
                _shutdown(getattr(conn, "sock", None))

    def expire(self) -> None:
        """The deadline passed: wake every read or write of the attempt."""
        # Under the lock, so that no duplicate is closed (and its number reused) meanwhile.
        with self._lock:
            if self.finished:
                return
            self.expired = True
            for sock in self._dups:
                _shutdown(sock)
            for conn in self._conns:
                _shutdown(getattr(conn, "sock", None))


class _Socket:
    """A plain socket watched as a connection is: through its ``sock``."""

    __slots__ = ("sock",)

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock


def _shutdown(sock: Any) -> None:
    if not isinstance(sock, socket.socket):
        return
    try:
        # socket.socket's own shutdown, even on a TLS socket: its override would also drop
        # the TLS state under the reading thread's feet.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the other side or by urllib3


def _watch(sock: socket.socket, tls: bool = False) -> None:
    watch: Optional[AttemptWatch] = getattr(_current, "watch", None)
    if watch is not None:
        watch.add(sock, tls)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _watch(sock, tls=True)
        return sock


def _watch_pooled(conn: Any) -> Any:
    watch: Optional[AttemptWatch] = getattr(_current, "watch", None)
    if watch is not None and getattr(conn, "sock", None) is not None:
        watch.add_connection(conn)
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
