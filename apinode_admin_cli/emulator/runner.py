"""What the node and the deployer emulators share to run: thread, handle, data dir, serve loop.

Only the running machinery is shared: each emulator keeps its own model of the server side.
"""

from __future__ import annotations

import select
import shutil
import signal
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Optional, Union

from apinode_admin_cli.emulator.options import WILDCARD_HOSTS, connect_host
from apinode_admin_cli.emulator.server import EmulatorHTTPServer


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


@contextmanager
def data_dir_or_temp(
    data_dir: Optional[Union[str, Path]], prefix: str
) -> Iterator[tuple[Path, Optional[Path]]]:
    """The data dir to use and the temporary one made for it (None when given), removed on error."""
    temp_dir = None
    if data_dir is None:
        temp_dir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield Path(data_dir) if data_dir is not None else temp_dir, temp_dir  # type: ignore[misc]
    except BaseException:
        if temp_dir is not None:
            shutil.rmtree(temp_dir, ignore_errors=True)
        raise


def serve_in_thread(server: EmulatorHTTPServer, name: str) -> threading.Thread:
    """Run ``server``'s accept loop in a daemon thread that sleeps while no request comes."""
    server.own_loop = True
    thread = threading.Thread(target=server.serve_until_stopped, name=name)
    thread.daemon = True
    thread.start()
    return thread


class ServerHandle:
    """A running emulator: its URI, journal, faults and a stop switch (subclasses add the rest)."""

    def __init__(
        self, app: Any, server: EmulatorHTTPServer, thread: threading.Thread, scheme: str,
        temp_dir: Optional[Path],
    ) -> None:  # fmt: skip
        self.app = app
        self._server = server
        self._thread = thread
        self._temp_dir = temp_dir
        self._stopped = False
        host, port = str(server.server_address[0]), int(server.server_address[1])
        self.port: int = port
        self.all_interfaces: bool = host in WILDCARD_HOSTS
        self.uri = f"{scheme}://{connect_host(host)}:{port}"
        self.key_source: str = app.key_source
        self.data_dir: Path = app.data_dir

    @property
    def received(self) -> list[dict[str, Any]]:
        """The recorded requests (method, path, query, raw_query, headers, body, ...)."""
        return self.app.journal.list()  # type: ignore[no-any-return]

    def clear_received(self) -> None:
        """Forget the recorded requests."""
        self.app.journal.clear()

    def add_fault(self, **spec: Any) -> dict[str, Any]:
        """Queue an HTTP fault; same fields as ``POST /__emulator__/faults`` (method/path too)."""
        return self.app.faults.add(spec)  # type: ignore[no-any-return]

    @property
    def faults(self) -> list[dict[str, Any]]:
        """The pending HTTP faults."""
        return self.app.faults.list()  # type: ignore[no-any-return]

    def clear_faults(self) -> None:
        """Drop every pending fault."""
        self.app.faults.clear()

    def stop(self) -> None:
        """Stop within about two seconds: requests in flight may finish, the others are cut.

        Then the store is closed and a temporary data dir is removed.
        """
        if self._stopped:
            return
        self._stopped = True
        self._before_stop()
        self._server.stop()
        self._thread.join(timeout=10)
        self._after_stop()
        self.app.store.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def _before_stop(self) -> None:
        """What must end before the server stops (nothing by default)."""

    def _after_stop(self) -> None:
        """What must happen once no request runs, before the store closes (nothing by default)."""

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_line(handle: ServerHandle, what: str, key_name: str, key: str, key_file: str) -> str:
    """The one line printed at start: where to connect, and the key when it was generated."""
    line = f"{what} listening on {handle.uri}"
    if handle.all_interfaces:
        scheme = handle.uri.split(":", 1)[0]
        elsewhere = f"{scheme}://{socket.gethostname()}:{handle.port}"
        line += f" (on all interfaces: other machines may use {elsewhere})"
    if handle.key_source == "generated":
        line += f" ({key_name}: {key})"
    elif handle.key_source == "file":
        line += f" ({key_name} in {handle.data_dir / key_file})"
    return line


def run_until_signal(handle: ServerHandle, line: str, stdout: IO[str]) -> None:
    """Print ``line``, then wait for SIGTERM or Ctrl-C and stop ``handle``."""
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        stdout.write(line + "\n")
        stdout.flush()
        _wait_for_signal(stop)
    finally:
        handle.stop()
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
