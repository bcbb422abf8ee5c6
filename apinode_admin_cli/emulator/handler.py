"""One connection's requests: parsing, auth, faults, dispatch and JSON answers, even to garbage."""

from __future__ import annotations

import json
import socket
import time
import traceback
import unicodedata
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Optional

from apinode_admin_cli import __version__
from apinode_admin_cli.emulator.errors import ApiError
from apinode_admin_cli.emulator.faults import forget_body, injected_answer, journal_entry
from apinode_admin_cli.emulator.routes import (
    Request,
    Response,
    canonical_segments,
    masked_path,
    parse_query,
    split_path,
)
from apinode_admin_cli.emulator.server import EmulatorHTTPServer
from apinode_admin_cli.emulator.wire import FramingError, HeadTooLarge, read_body, read_fields

DSS_API_VERSION = "1"
DSS_VERSION = "14.0.0-emulator"  # servers that emulate no version of their own (the deployer)
DRAIN_FILE = "apinode-not-alive.txt"  # a node's documented switch out of its load balancer


class EmulatorHandler(BaseHTTPRequestHandler):
    """Parses each request and hands it to the emulator's routers."""

    protocol_version = "HTTP/1.1"
    server_version = "apinode-emulator/" + __version__
    timeout = 120  # per socket read; stopping the emulator does not wait for it
    server: EmulatorHTTPServer
    _entry: Optional[dict[str, Any]] = None  # the journal entry of the request being handled
    _refused: Optional[ApiError] = None  # its 401, found before its body was read
    raw_requestline: bytes  # set by the standard library before parse_request

    def setup(self) -> None:
        super().setup()
        # Tracked before the TLS handshake, so that a silent client is closed at stop too.
        self.server.set_idle(self, True)
        try:
            # Headers and body leave in two writes: without this, Nagle plus delayed ACKs
            # cost 40 ms per keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        if self.server.stopping:
            self.close_connection = True
        elif hasattr(self.connection, "do_handshake"):
            try:
                self.connection.do_handshake()
            except BaseException:
                self.server.set_idle(self, None)  # finish() is not called when setup() fails
                raise

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

    def parse_request(self) -> bool:
        """The request line and headers, refused as the standard library refuses them.

        The standard library's own parse runs the e-mail parser on every request's headers,
        which costs more than the rest of most requests: ``wire.read_fields`` reads them.
        """
        self.command = None  # type: ignore[assignment]
        self.request_version = self.default_request_version
        self.close_connection = True
        line = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = line
        words = line.split()
        if not words:
            return False  # an empty line: nothing to answer
        if len(words) >= 3:
            version = words[-1]
            number = _version_number(version)
            if number is None:
                self.send_error(400, f"Bad request version ({version!r})")
                return False
            if number >= (2, 0):
                self.send_error(505, f"Invalid HTTP version ({version[5:]})")
                return False
            self.close_connection = number < (1, 1)
            self.request_version = version
        if not 2 <= len(words) <= 3:
            self.send_error(400, f"Bad request syntax ({line!r})")
            return False
        if len(words) == 2:  # an HTTP/0.9 request line
            refusal = "HTTP/0.9 requests are not supported"
            if words[0] != "GET":
                refusal = f"Bad HTTP/0.9 request type ({words[0]!r})"
            self.send_error(400, refusal)
            return False
        self.command, self.path = words[0], words[1]
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")  # never a host-relative URL
        try:
            self.headers = read_fields(self.rfile)  # type: ignore[assignment]
        except HeadTooLarge as exc:
            self.send_error(431, str(exc))
            return False
        connection = (self.headers.get("Connection") or "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        expect = (self.headers.get("Expect") or "").lower()
        if expect == "100-continue" and self.request_version != "HTTP/1.0":
            return self.handle_expect_100()
        return True

    def send_error(self, code: int, message: Optional[str] = None, explain: Any = None) -> None:
        """The standard library's refusals (bad request line, 414, 431, 501...), as JSON."""
        self.close_connection = True
        if getattr(self, "request_version", None) == "HTTP/0.9":
            # The standard library's default until a request line parses; an answer to an
            # HTTP/0.9 request has neither status line nor headers, so it would not say 400.
            self.request_version = "HTTP/1.0"
        try:
            text = message or HTTPStatus(code).phrase
        except ValueError:
            text = "Refused"
        error = ApiError(code, text if len(text) <= 200 else text[:200] + "...")
        try:
            self._send_json(Response(code, error.to_json()))
        except OSError:
            pass
        command = getattr(self, "command", None)
        where = f"{command} {masked_path(self.path)}" if command and hasattr(self, "path") else "-"
        self.server.app.log(f'{self.client_address[0]} "{_printable(where)}" {code}')

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass  # one line per request is written by _handle instead

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
                self.server.stop_event.wait(app.latency_ms / 1000)
            fault = (
                None
                if _is_control(req.segments)
                else app.faults.take(
                    req.method, "/" + "/".join(canonical_segments(req.segments)), raw_path
                )
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
            if status == 401 and self._entry is not None:
                forget_body(self._entry)  # before answering: a client without a key costs nothing
            if isinstance(exc, FramingError):
                self.close_connection = True  # where the next request starts is unknown
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
            self._entry = None
            elapsed = (time.monotonic() - started) * 1000
            where = _printable(f"{self.command} {masked_path(raw_path)}")
            app.log(f'{self.client_address[0]} "{where}" {status or "dropped"} {elapsed:.1f}ms')

    def _read_request(self, raw_path: str, raw_query: str) -> Request:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        app = self.server.app
        key, self._refused = None, None
        try:
            segments: Optional[list[str]] = split_path(raw_path)
            bad_path: Optional[ApiError] = None
        except ApiError as exc:
            segments, bad_path = None, exc  # answered once the body is read
        if segments is not None and (segments[:2] == ["admin", "api"] or _is_control(segments)):
            try:  # before the body: one sent without a valid key is read and thrown away
                key = app.authenticate(headers)
            except ApiError as exc:
                self._refused = exc
        body, size = read_body(self.rfile, self.headers, keep=self._refused is None)
        req = Request(self.command, raw_path, [], raw_query, {}, headers, body, app=app, key=key)
        try:
            if bad_path is not None:
                raise bad_path
            req.segments = segments or []
            req.query = parse_query(raw_query)
        finally:
            if not _is_control(req.segments):
                self._entry = dict(journal_entry(req), body_size=size)
                app.journal.record(self._entry)
        return req

    def _authenticate(self, req: Request) -> dict[str, Any]:
        """The key record checked before the body was read, else checked now; else a 401."""
        if self._refused is not None:
            raise self._refused
        return req.key if req.key is not None else self.server.app.authenticate(req.headers)

    def _dispatch(self, req: Request) -> Response:
        app = self.server.app
        segments = req.segments
        if segments[:2] == ["admin", "api"]:
            status = 500
            try:
                req.key = self._authenticate(req)
                rest = canonical_segments(segments)[2:]
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
            return _is_alive(app.data_dir)
        if _is_control(segments):
            req.key = self._authenticate(req)
        handler, params = app.public_router.match(req.method, segments)
        return _as_response(handler(req, **params))

    def _apply_fault(self, fault: dict[str, Any]) -> bool:
        """Play a fault; True when it produced the whole answer (or dropped the connection)."""
        if fault["delayMs"]:
            self.server.stop_event.wait(fault["delayMs"] / 1000)  # cut short by a stop
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
            self.send_header(
                "DSS-Version", getattr(self.server.app, "dss_version_header", DSS_VERSION)
            )
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


def _version_number(version: str) -> Optional[tuple[int, int]]:
    """(major, minor) of ``HTTP/major.minor``, digits only; None when it is not one."""
    if not version.startswith("HTTP/"):
        return None
    parts = version[5:].split(".")
    if len(parts) != 2 or not all(p.isdigit() and p.isascii() and len(p) <= 10 for p in parts):
        return None
    return int(parts[0]), int(parts[1])


def _is_alive(data_dir: Path) -> Response:
    """The health probe: a 503 while the drain file exists, services answering meanwhile."""
    # Checked on every probe, as a node does: creating or removing the file by hand takes
    # effect at once, with no restart and no admin call.
    if (data_dir / DRAIN_FILE).exists():
        error = ApiError(
            503,
            f"Node forced not alive: {DRAIN_FILE} exists in its data dir",
            f"Remove {data_dir / DRAIN_FILE} to put the node back in its load balancer",
        )
        return Response(503, dict(error.to_json(), alive=False, emulated=True))
    return Response(200, {"alive": True, "emulated": True})


def _as_response(result: Any) -> Response:
    return result if isinstance(result, Response) else Response(200, result)


def _is_control(segments: list[str]) -> bool:
    return bool(segments) and segments[0] == "__emulator__"


def _printable(text: str) -> str:
    """``text`` safe for a log line: control characters escaped, length capped."""
    if len(text) > 2000:
        text = text[:2000] + "..."
    if text.isascii() and text.isprintable():  # the usual line: nothing to escape
        return text
    return "".join(
        c if not unicodedata.category(c).startswith("C") else f"\\x{ord(c):02x}" for c in text
    )
