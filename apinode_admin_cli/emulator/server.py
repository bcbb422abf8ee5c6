"""The HTTP layer: request parsing, auth, faults, dispatch, JSON answers and clean shutdown."""

from __future__ import annotations

import json
import socket
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any, Optional
from urllib.parse import unquote

from apinode_admin_cli import __version__
from apinode_admin_cli.emulator.errors import ApiError
from apinode_admin_cli.emulator.faults import injected_answer, journal_entry
from apinode_admin_cli.emulator.routes import Request, Response, parse_query, split_path

DSS_API_VERSION = "1"
DSS_VERSION = "14.0.0-emulator"
MAX_BODY_BYTES = 64 * 1024 * 1024


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading server that tracks connections so that stopping lets requests finish."""

    daemon_threads = False  # so server_close() joins the threads of requests in flight
    block_on_close = True
    allow_reuse_address = True
    request_queue_size = 128  # socketserver's 5 resets bursts of concurrent clients

    def __init__(self, address: tuple[str, int], app: Any, ssl_context: Any = None) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.app = app
        self.stopping = False
        self._conn_lock = threading.Lock()
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

    def set_idle(self, handler: Any, idle: Optional[bool]) -> None:
        """Record whether a connection waits for its next request (None: it is gone)."""
        with self._conn_lock:
            if idle is None:
                self._idle.pop(handler, None)
            else:
                self._idle[handler] = idle

    def close_idle_connections(self) -> None:
        """Wake keep-alive connections waiting for a request so their threads end."""
        with self._conn_lock:
            idle = [h for h, is_idle in self._idle.items() if is_idle]
        for handler in idle:
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Client resets and failed TLS handshakes are routine: one line, no traceback.
        self.app.log(f"{client_address[0]} connection error: {traceback.format_exc(limit=0)}")


class EmulatorHandler(BaseHTTPRequestHandler):
    """Parses each request and hands it to the emulator's routers."""

    protocol_version = "HTTP/1.1"
    server_version = "apinode-emulator/" + __version__
    timeout = 120
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        try:
            # Headers and body leave in two writes: without this, Nagle plus delayed ACKs
            # cost 40 ms per keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        if hasattr(self.connection, "do_handshake"):
            self.connection.do_handshake()
        self.server.set_idle(self, True)

    def finish(self) -> None:
        self.server.set_idle(self, None)
        try:
            super().finish()
        except OSError:
            pass

    def handle_one_request(self) -> None:
        if self.server.stopping:
            self.close_connection = True
            return
        super().handle_one_request()
        self.server.set_idle(self, True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass  # one line per request is written by _log_request instead

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # -- the pipeline --------------------------------------------------------------------

    def _handle(self) -> None:
        self.server.set_idle(self, False)
        started = time.monotonic()
        app = self.server.app
        raw_path, _, raw_query = self.path.partition("?")
        status = 500
        try:
            req = self._read_request(raw_path, raw_query)
            if app.latency_ms:
                time.sleep(app.latency_ms / 1000)
            fault = (
                None
                if _is_control(req.segments)
                else app.faults.take(req.method, "/" + "/".join(req.segments), raw_path)
            )
            if fault is not None and self._apply_fault(fault):
                status = 0 if fault["drop"] is True else fault["status"]
                return
            mid_body = fault is not None and fault["drop"] == "mid-body"
            response = self._dispatch(req)
            status = response.status
            self._send_json(response, mid_body=mid_body)
        except ApiError as exc:
            status = exc.status
            self._send_json(Response(exc.status, exc.to_json(), exc.headers))
        except (ConnectionError, socket.timeout):
            status = 0  # the client went away: nothing was (fully) answered
            self.close_connection = True
        except Exception as exc:  # the last line of defence: still a JSON answer
            app.log(traceback.format_exc())
            error = ApiError(500, f"Internal emulator error: {type(exc).__name__}: {exc}")
            status = 500
            try:
                self._send_json(Response(500, error.to_json()))
            except OSError:
                self.close_connection = True
        finally:
            elapsed = (time.monotonic() - started) * 1000
            where = f"{self.command} {_masked(raw_path)}"
            app.log(f'{self.client_address[0]} "{where}" {status or "dropped"} {elapsed:.1f}ms')

    def _read_request(self, raw_path: str, raw_query: str) -> Request:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        body = self._read_body()
        req = Request(self.command, raw_path, [], raw_query, {}, headers, body, app=self.server.app)
        try:
            req.segments = split_path(raw_path)
            req.query = parse_query(raw_query)
        finally:
            if not _is_control(req.segments):
                self.server.app.journal.record(journal_entry(req))
        return req

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        raw_length = self.headers.get("Content-Length") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            self.close_connection = True
            raise ApiError(400, f"Invalid Content-Length {raw_length!r}")
        if length < 0 or length > MAX_BODY_BYTES:
            self.close_connection = True
            raise ApiError(413, f"Body of {length} bytes refused (limit {MAX_BODY_BYTES})")
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                self.close_connection = True
                raise ApiError(400, "Malformed chunked request body")
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                self.close_connection = True
                raise ApiError(413, f"Body refused (limit {MAX_BODY_BYTES} bytes)")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _dispatch(self, req: Request) -> Response:
        app = self.server.app
        segments = req.segments
        if segments[:2] == ["admin", "api"]:
            status = 500
            try:
                req.key = app.authenticate(req.headers)
                rest = segments[2:]
                if rest and rest[0] == "service":
                    rest = ["services"] + rest[1:]  # the reference page's singular spelling
                handler, params = app.admin_router.match(req.method, rest)
                response = _as_response(handler(req, **params))
                status = response.status
                return response
            except ApiError as exc:
                status = exc.status
                raise
            finally:
                app.metrics.count_admin(req.method, status)
        if segments == ["isAlive"]:
            if req.method not in ("GET", "HEAD"):
                raise ApiError(405, "Method not allowed: use GET", headers={"Allow": "GET"})
            return Response(200, {"alive": True, "emulated": True})
        if _is_control(segments):
            req.key = app.authenticate(req.headers)
        handler, params = app.public_router.match(req.method, segments)
        return _as_response(handler(req, **params))

    def _apply_fault(self, fault: dict[str, Any]) -> bool:
        """Play a fault; True when it produced the whole answer (or dropped the connection)."""
        if fault["delayMs"]:
            time.sleep(fault["delayMs"] / 1000)
        if fault["drop"] is True:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault["status"] is None:
            return False
        status, data, content_type, headers = injected_answer(fault)
        self._send(
            status,
            data,
            content_type,
            headers,
            dss_headers="json" in content_type,  # a proxy's HTML page carries no DSS headers
            mid_body=fault["drop"] == "mid-body",
        )
        return True

    def _send_json(self, response: Response, mid_body: bool = False) -> None:
        data = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
        self._send(response.status, data, "application/json", response.headers, True, mid_body)

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str],
        dss_headers: bool = True,
        mid_body: bool = False,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if dss_headers:
            self.send_header("DSS-API-Version", DSS_API_VERSION)
            self.send_header("DSS-Version", DSS_VERSION)
        for name, value in headers.items():
            self.send_header(name, value)
        if self.server.stopping or self.close_connection:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD":
            return
        if mid_body:
            # Headers promise the whole body; half of it arrives, then the connection dies.
            self.wfile.write(data[: max(1, len(data) // 2)])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)


def _as_response(result: Any) -> Response:
    return result if isinstance(result, Response) else Response(200, result)


def _is_control(segments: list[str]) -> bool:
    return bool(segments) and segments[0] == "__emulator__"


def _masked(raw_path: str) -> str:
    """The path as logged: the secret of ``DELETE keys/{secret}`` never reaches a log."""
    # Decoded as the router decodes it, so `%6Beys/SECRET` is masked too; only
    # `keys/{id}/key` names a key by something other than its secret.
    segments = [unquote(p) for p in raw_path.split("/") if p]
    by_id = len(segments) == 5 and segments[4] == "key"
    if segments[:3] == ["admin", "api", "keys"] and len(segments) > 3 and not by_id:
        return "/admin/api/keys/***"
    return raw_path
