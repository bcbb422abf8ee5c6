"""The emulator's background runner and its serve loop."""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any, Optional, Union

from apinode_admin_cli.emulator.datadir import (
    DEFAULT_DSS_VERSION,
    LOG_FILE,
    SetupError,
    parse_dss_version,
    write_node_files,
)
from apinode_admin_cli.emulator.node import Emulator
from apinode_admin_cli.emulator.options import (
    WILDCARD_HOSTS,
    check_delay,
    check_host,
    check_port,
    connect_host,
)
from apinode_admin_cli.emulator.server import EmulatorHTTPServer

__all__ = ["Emulator", "EmulatorHandle", "serve_forever", "start_emulator", "tls_context"]


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
        self.app.store.close()
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
    dss_version: Optional[str] = None,
) -> EmulatorHandle:
    """Start an emulator in a background thread and return its handle (port 0: a free port).

    ValueError for a host that cannot be resolved, a port outside 0-65535, a latency that is
    not a number of milliseconds from 0 to ``MAX_DELAY_MS``, or a version that is not X.Y
    (default: env ``APINODE_EMULATOR_DSS_VERSION``, else ``DEFAULT_DSS_VERSION``);
    ``DataDirError`` for a data dir in use by another emulator or holding a corrupt file.
    """
    host, port = check_host(host), check_port(port)
    latency_ms = check_delay(latency_ms)
    from_env = os.environ.get("APINODE_EMULATOR_DSS_VERSION")
    try:
        version = parse_dss_version(dss_version or from_env or DEFAULT_DSS_VERSION)
    except ValueError as exc:
        if dss_version or not from_env:
            raise
        raise SetupError(f"{exc} (from APINODE_EMULATOR_DSS_VERSION)")
    temp_dir = None
    if data_dir is None:
        temp_dir = Path(tempfile.mkdtemp(prefix="apinode-emulator-"))
        data_dir = temp_dir
    emulator = None
    try:
        emulator = Emulator(Path(data_dir), admin_key, latency_ms, log_stream, version)
        server = EmulatorHTTPServer((host, port), emulator, ssl_context)
        write_node_files(emulator.data_dir, int(server.server_address[1]), version)
    except BaseException:
        if emulator is not None:
            emulator.store.close()
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    server.own_loop = True
    thread = threading.Thread(target=server.serve_until_stopped, name="apinode-emulator")
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
    dss_version: Optional[str] = None,
) -> None:
    """Run an emulator until SIGTERM or Ctrl-C, printing the one start line on stdout.

    With a data dir, the request log also goes to ``DATA_DIR/run/apimain.log``, as a node's.
    """
    stdout = stdout or sys.stdout
    handle = start_emulator(
        host=host,
        port=port,
        data_dir=data_dir,
        admin_key=admin_key,
        latency_ms=latency_ms,
        ssl_context=ssl_context,
        log_stream=log_stream if log_stream is not None else sys.stderr,
        dss_version=dss_version,
    )
    if data_dir is not None:
        try:
            handle.app.log_file = open(handle.data_dir / LOG_FILE, "a", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            handle.app.log(f"cannot write {handle.data_dir / LOG_FILE}: {exc.strerror or exc}")
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
        _wait_for_signal(stop)
    finally:
        handle.stop()
        if handle.app.log_file is not None:
            handle.app.log_file.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait_for_signal(stop: threading.Event) -> None:
    """Block until a handler sets ``stop``, without waking up periodically.

    The signal may land in any thread, and a main thread blocked on a lock would not notice:
    Python's wake-up fd turns every signal into a byte that the main thread waits for.
    """
    reader, writer = socket.socketpair()
    writer.setblocking(False)
    try:
        previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    except (ValueError, OSError):  # not the main thread, or a platform without it
        while not stop.wait(0.5):
            pass
        return
    try:
        with reader, writer:
            while not stop.is_set():
                select.select([reader], [], [])
                reader.recv(512)
    finally:
        signal.set_wakeup_fd(previous)
