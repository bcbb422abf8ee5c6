"""The emulator's background runner and its serve loop."""

from __future__ import annotations

import os
import sys
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
from apinode_admin_cli.emulator.options import check_delay, check_host, check_port
from apinode_admin_cli.emulator.runner import (
    ServerHandle,
    data_dir_or_temp,
    run_until_signal,
    serve_in_thread,
    start_line,
    tls_context,
)
from apinode_admin_cli.emulator.server import EmulatorHTTPServer

__all__ = ["Emulator", "EmulatorHandle", "serve_forever", "start_emulator", "tls_context"]


class EmulatorHandle(ServerHandle):
    """A running emulator: its URI and key, the journal, faults, and a stop switch."""

    app: Emulator

    def __init__(
        self, emulator: Emulator, server: EmulatorHTTPServer, thread: threading.Thread,
        scheme: str, temp_dir: Optional[Path],
    ) -> None:  # fmt: skip
        super().__init__(emulator, server, thread, scheme, temp_dir)
        self.admin_key: str = emulator.admin_key

    def _after_stop(self) -> None:
        self.app.metrics.save(force=True)

    def __enter__(self) -> EmulatorHandle:
        return self


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
    emulator = None
    with data_dir_or_temp(data_dir, "apinode-emulator-") as (folder, temp_dir):
        try:
            emulator = Emulator(folder, admin_key, latency_ms, log_stream, version)
            server = EmulatorHTTPServer((host, port), emulator, ssl_context)
            write_node_files(emulator.data_dir, int(server.server_address[1]), version)
        except BaseException:
            if emulator is not None:
                emulator.store.close()
            raise
    thread = serve_in_thread(server, "apinode-emulator")
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
    line = start_line(handle, "Emulator", "admin key", handle.admin_key, "admin-key")
    try:
        run_until_signal(handle, line, stdout)
    finally:
        if handle.app.log_file is not None:
            handle.app.log_file.close()
