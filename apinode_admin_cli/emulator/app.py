"""The emulator object shared by all handlers, its background runner and the serve loop."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import shutil
import signal
import socket
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any, Optional, Union

from apinode_admin_cli.emulator import (
    admin_caches,
    admin_keys,
    admin_services,
    faults,
    metrics,
    service_keys,
    user_api,
)
from apinode_admin_cli.emulator.errors import ApiError
from apinode_admin_cli.emulator.options import (
    WILDCARD_HOSTS,
    check_delay,
    check_host,
    check_port,
    connect_host,
)
from apinode_admin_cli.emulator.routes import Router
from apinode_admin_cli.emulator.server import EmulatorHTTPServer
from apinode_admin_cli.emulator.store import Store, now_ms, resolve_admin_key


class Emulator:
    """State, counters, faults and journal behind one server."""

    admin_router = Router.merged(
        admin_services.router, admin_keys.router, admin_caches.router, metrics.router
    )
    public_router = Router.merged(user_api.router, faults.router, service_keys.router)

    def __init__(
        self, data_dir: Path, admin_key: Optional[str], latency_ms: float, log_stream: Any
    ) -> None:
        self.data_dir = Path(data_dir)
        self.store = Store(self.data_dir)
        self.admin_key, self.key_source = resolve_admin_key(self.data_dir, admin_key)
        self.store.ensure_bootstrap_key(self.admin_key)
        self.metrics = metrics.Metrics(self.data_dir)
        self.faults = faults.Faults()
        self.journal = faults.Journal()
        self.error_rates = user_api.ErrorRates()
        self.latency_ms = latency_ms
        self._log_stream = log_stream
        self._log_lock = threading.Lock()

    def log(self, line: str) -> None:
        """Write one line to the log stream, if any."""
        if self._log_stream is None:
            return
        with self._log_lock:
            try:
                self._log_stream.write(line.rstrip("\n") + "\n")
                self._log_stream.flush()
            except (OSError, ValueError):
                pass

    def authenticate(self, headers: dict[str, str]) -> dict[str, Any]:
        """The admin key record behind the request's Basic auth, else a 401."""
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        challenge = {"WWW-Authenticate": 'Basic realm="DSS API node admin"'}
        if not value:
            raise ApiError(
                401,
                "No API key: send the admin key as the HTTP Basic user name, empty password",
                headers=challenge,
            )
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "basic":
            # Not echoed: a bare key sent as the header value would land in the answer.
            raise ApiError(401, "Unsupported authentication scheme: use Basic", headers=challenge)
        try:
            credentials = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(401, "Malformed Basic authorization header", headers=challenge)
        record = None
        # Clients disagree on the charset of Basic credentials: curl sends the bytes it is
        # given (UTF-8 in practice), requests encodes them as Latin-1. A key is stored as a
        # hash of its text, so each reading of the bytes is tried: UTF-8 first.
        for charset in ("utf-8", "latin-1"):
            try:
                user = credentials.decode(charset).split(":")[0]
            except UnicodeDecodeError:
                continue
            record = self.store.find_key(user) if user else None
            if record is not None:
                break
        if record is None:
            raise ApiError(401, "Invalid API key", headers=challenge)
        expiry = record.get("expiry")
        if expiry is not None and expiry <= now_ms():
            try:
                moment = dt.datetime.fromtimestamp(expiry / 1000, dt.timezone.utc).isoformat()
            except (OverflowError, OSError, ValueError):
                moment = f"{expiry} (epoch ms)"
            raise ApiError(401, f"API key expired on {moment}", headers=challenge)
        return record


class EmulatorHandle:
    """A running emulator: its URI and key, the journal, faults, and a stop switch."""

    def __init__(
        self,
        emulator: Emulator,
        server: EmulatorHTTPServer,
        thread: threading.Thread,
        scheme: str,
        temp_dir: Optional[Path],
    ) -> None:
        self.app = emulator
        self._server = server
        self._thread = thread
        self._temp_dir = temp_dir
        self._stopped = False
        host, port = str(server.server_address[0]), int(server.server_address[1])
        self.port: int = port
        self.all_interfaces: bool = host in WILDCARD_HOSTS
        self.uri = f"{scheme}://{connect_host(host)}:{port}"
        self.admin_key: str = emulator.admin_key
        self.key_source: str = emulator.key_source
        self.data_dir: Path = emulator.data_dir

    @property
    def received(self) -> list[dict[str, Any]]:
        """The recorded requests (method, path, query, raw_query, headers, body, ...)."""
        return self.app.journal.list()

    def clear_received(self) -> None:
        """Forget the recorded requests."""
        self.app.journal.clear()

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        """Queue a fault; same fields as ``POST /__emulator__/faults`` (method/path allowed)."""
        return self.app.faults.add(spec)

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self.app.faults.clear()

    @property
    def faults(self) -> list[dict[str, Any]]:
        """The pending faults."""
        return self.app.faults.list()

    def stop(self) -> None:
        """Stop within about two seconds: requests in flight may finish, the others are cut.

        Then the counters are saved and a temporary data dir is removed.
        """
        if self._stopped:
            return
        self._stopped = True
        self._server.stop()
        self._thread.join(timeout=10)
        self.app.metrics.save(force=True)
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def tls_context(cert: Optional[str], key: Optional[str]) -> Any:
    """The server ``ssl.SSLContext`` for ``--tls-cert``/``--tls-key``, or None without a cert.

    ValueError for a key without a cert; OSError (ssl.SSLError included) for unloadable files.
    """
    if key and not cert:
        raise ValueError("--tls-key needs --tls-cert.")
    if not cert:
        return None
    import ssl  # only HTTPS pays for it

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def start_emulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    data_dir: Optional[Union[str, Path]] = None,
    admin_key: Optional[str] = None,
    latency_ms: float = 0,
    ssl_context: Any = None,
    log_stream: Optional[IO[str]] = None,
) -> EmulatorHandle:
    """Start an emulator in a background thread and return its handle (port 0: a free port).

    ValueError for a host that cannot be resolved, a port outside 0-65535, or a latency
    that is not a number of milliseconds from 0 to ``MAX_DELAY_MS``.
    """
    host, port = check_host(host), check_port(port)
    latency_ms = check_delay(latency_ms)
    temp_dir = None
    if data_dir is None:
        temp_dir = Path(tempfile.mkdtemp(prefix="apinode-emulator-"))
        data_dir = temp_dir
    try:
        emulator = Emulator(Path(data_dir), admin_key, latency_ms, log_stream)
        server = EmulatorHTTPServer((host, port), emulator, ssl_context)
    except BaseException:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="apinode-emulator"
    )
    thread.daemon = True
    thread.start()
    scheme = "https" if ssl_context is not None else "http"
    return EmulatorHandle(emulator, server, thread, scheme, temp_dir)


def serve_forever(
    *,
    host: str = "127.0.0.1",
    port: int = 12000,
    data_dir: Optional[Union[str, Path]] = None,
    admin_key: Optional[str] = None,
    latency_ms: float = 0,
    ssl_context: Any = None,
    stdout: Optional[IO[str]] = None,
    log_stream: Optional[IO[str]] = None,
) -> None:
    """Run an emulator until SIGTERM or Ctrl-C, printing the one start line on stdout."""
    stdout = stdout or sys.stdout
    handle = start_emulator(
        host=host,
        port=port,
        data_dir=data_dir,
        admin_key=admin_key,
        latency_ms=latency_ms,
        ssl_context=ssl_context,
        log_stream=log_stream if log_stream is not None else sys.stderr,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        line = f"Emulator listening on {handle.uri}"
        if handle.all_interfaces:
            scheme = handle.uri.split(":", 1)[0]
            elsewhere = f"{scheme}://{socket.gethostname()}:{handle.port}"
            line += f" (on all interfaces: other machines may use {elsewhere})"
        if handle.key_source == "generated":
            line += f" (admin key: {handle.admin_key})"
        elif handle.key_source == "file":
            line += f" (admin key in {handle.data_dir / 'admin-key'})"
        stdout.write(line + "\n")
        stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        handle.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
