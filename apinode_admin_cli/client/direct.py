"""Plain reads sent straight on the session's pooled connections, and their answers read here.

A read of a node (``GET`` with no query and no body) is most of what a fan-out sends: `fleet
status` reads every service's generations on every node. For such a request, ``requests``
rebuilds the same headers, URL, cookies and TLS settings every time, and ``http.client`` parses
every answer's headers with the e-mail parser: together several times what the exchange itself
costs. Here the request's bytes are worked out once per origin and written in one piece on a
connection taken from the very pool ``requests`` would use (so the same kept connections, TLS
settings and deadline watch), and the answer is read by a small HTTP/1.1 reader that frames it
as ``http.client`` does (status line, headers, ``Content-Length``, chunked, or to the end of the
connection; gzip and deflate decoded). Failures are raised as the ``requests`` exceptions, with
the ``urllib3`` and ``http.client`` ones inside, that ``requests`` would raise and that
``failures.classify`` reads.

``requests`` still sends the request whenever it would do more than this: through a proxy, with
cookies to send, or when the answer is a redirect to follow, sets a cookie, or is encoded in a
way other than gzip or deflate (the read is then sent again the usual way: reads may be
repeated).
"""

from __future__ import annotations

import socket
import zlib
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Optional
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import requests

REDIRECTS = frozenset({301, 302, 303, 307, 308})
# http.client's limits on what it reads of an answer's head.
MAX_LINE = 65536
MAX_HEADERS = 100
_READ = 65536
_DECODED = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class Route:
    """Where and how reads under one root URL are sent: the pool and every read's bytes.

    ``base`` is the root as ``requests`` writes it (scheme and host normalised), ``base_path``
    its path: a read of ``base + "/" + P`` asks for ``base_path + "/" + P``, P being made of
    percent-encoded segments, which ``requests`` would leave as they are. ``tail`` is what
    follows the target in the request: the version and the head's lines, ``Host`` first and then
    the session's headers in their order, as ``http.client`` writes them.
    """

    __slots__ = ("base", "base_path", "insecure", "pool", "tail")

    def __init__(self, base: str, pool: Any, headers: Mapping[str, str], insecure: bool) -> None:
        self.base = base
        self.base_path = urlsplit(base).path
        self.pool = pool
        lines = [f"Host: {host_header(pool)}", *(f"{k}: {v}" for k, v in headers.items())]
        # http.client's encodings: names in ASCII, values in Latin-1.
        self.tail = (" HTTP/1.1\r\n" + "\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.insecure = insecure  # TLS without verification: urllib3's warning is silenced


def host_header(pool: Any) -> str:
    """The ``Host`` value ``http.client`` sends on the pool's connections."""
    host = pool.host.rstrip(".")  # urllib3 drops a fully qualified name's dot
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    default = 443 if pool.scheme == "https" else 80
    return host if pool.port in (None, default) else f"{host}:{pool.port}"


def route_for(
    session: requests.Session, root: str, auth: Any, environment: Mapping[str, Any]
) -> Optional[Route]:
    """The route of reads under ``root``, or None when ``requests`` must send them."""
    import requests
    from requests.utils import select_proxy

    if session.cookies or select_proxy(root + "/", environment.get("proxies") or {}):
        return None
    adapter = session.get_adapter(root + "/")
    pick = getattr(adapter, "get_connection_with_tls_context", None)
    if pick is None:  # requests before 2.32.2: the TLS settings are applied another way
        return None
    prepared = session.prepare_request(requests.Request("GET", root + "/", auth=auth))
    url = prepared.url or ""
    if "Cookie" in prepared.headers or not url.endswith("/") or "?" in url or "#" in url:
        return None
    verify = environment.get("verify", True)
    pool = pick(prepared, verify, None, environment.get("cert"))
    try:
        return Route(url[:-1], pool, prepared.headers, insecure=verify is False)
    except UnicodeError:  # a header http.client cannot write: requests says so in its words
        return None


class _Sent:
    """The request a ``requests`` exception names (``failures`` reads its URL)."""

    __slots__ = ("method", "url")

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.url = url


def send(route: Route, target: str, url: str, timeout: tuple[float, float]) -> Answer:
    """Send ``GET target`` on the route and read the answer's head.

    Failures are raised as ``requests`` raises them; the body is read by ``Answer``.
    """
    import ssl

    from requests import exceptions as rex
    from urllib3 import exceptions as u3

    sent: Any = _Sent("GET", url)
    pool = route.pool
    try:
        conn = pool._get_conn()  # a kept connection, or a new one; watched either way
    except u3.HTTPError as err:  # the session was closed meanwhile
        raise rex.ConnectionError(err, request=sent) from err
    try:
        if conn.sock is None:
            _connect(conn, pool, target, timeout[0], sent)
        sock = conn.sock
        sock.settimeout(timeout[1])
        try:
            _write(sock, b"GET " + target.encode("ascii") + route.tail)
            return Answer(conn, pool, _read_head(sock))
        except socket.timeout as err:
            why = f"Read timed out. (read timeout={timeout[1]})"
            raise rex.ReadTimeout(u3.ReadTimeoutError(pool, target, why), request=sent) from err
        except _Unsupported as err:
            raise rex.InvalidHeader(str(err), request=sent) from err
        except ssl.SSLError as err:  # an alert after the handshake (a client certificate)
            tls = u3.SSLError(err)
            raise rex.SSLError(u3.MaxRetryError(pool, target, tls), request=sent) from err
        except OSError as err:  # http.client's own errors among them: the node's bytes were bad
            raise rex.ConnectionError(
                u3.ProtocolError("Connection aborted.", err), request=sent
            ) from err
        except _BadAnswer as err:
            inner = err.args[0]
            raise rex.ConnectionError(
                u3.ProtocolError("Connection aborted.", inner), request=sent
            ) from inner
    except BaseException:
        conn.close()
        pool._put_conn(conn)
        raise


def _write(sock: socket.socket, data: bytes) -> None:
    """Send the request; a connection the node closed first is left for the read to explain.

    As urllib3 does: a node may refuse a request (a TLS alert for a missing client
    certificate, an error page) and close the connection before it is all written. The write
    then fails with a broken pipe or a reset, while what the node said waits to be read.
    """
    import errno

    try:
        sock.sendall(data)
    except BrokenPipeError:
        pass
    except OSError as err:
        if err.errno not in (errno.ECONNRESET, errno.EPROTOTYPE):
            raise


def _connect(conn: Any, pool: Any, target: str, seconds: float, sent: Any) -> None:
    """Open the connection (TCP, and TLS for https), failing as ``requests`` would."""
    import ssl

    from requests import exceptions as rex
    from urllib3 import exceptions as u3

    conn.timeout = seconds
    try:
        conn.connect()
    except u3.NewConnectionError as err:
        raise rex.ConnectionError(u3.MaxRetryError(pool, target, err), request=sent) from err
    except u3.ConnectTimeoutError as err:
        raise rex.ConnectTimeout(u3.MaxRetryError(pool, target, err), request=sent) from err
    except (ssl.SSLError, ssl.CertificateError, u3.SSLError) as err:
        tls = err if isinstance(err, u3.SSLError) else u3.SSLError(err)
        raise rex.SSLError(u3.MaxRetryError(pool, target, tls), request=sent) from err
    except socket.timeout as err:  # the TLS handshake: urllib3 calls it a read timeout
        why = u3.ReadTimeoutError(pool, target, f"Read timed out. (read timeout={seconds})")
        raise rex.ReadTimeout(why, request=sent) from err
    except (OSError, u3.ProtocolError) as err:
        aborted = (
            err
            if isinstance(err, u3.ProtocolError)
            else u3.ProtocolError("Connection aborted.", err)
        )
        raise rex.ConnectionError(u3.MaxRetryError(pool, target, aborted), request=sent) from err


class _BadAnswer(Exception):
    """An ``http.client`` error (not an OSError) about the answer's head, carried as arg 0."""


class _Unsupported(Exception):
    """A head that ``urllib3`` refuses (Content-Length values that disagree)."""


class _Head:
    """An answer's status line and headers, as ``http.client`` reads them, and what follows.

    ``rest`` is what was read past the head; ``length`` the body's length (None: it ends
    with the connection, or it is ``chunked``); ``keep`` whether the connection can carry
    the next read once the body is read.
    """

    __slots__ = ("chunked", "headers", "keep", "length", "reason", "rest", "status")

    def __init__(self, status: int, reason: str, lines: list[str], rest: bytes, old: bool) -> None:
        self.status = status
        self.reason = reason
        fields = _fields(lines)
        self.headers: Any = _headers(fields)
        self.rest = rest
        self.chunked = fields.get("transfer-encoding", ("", ""))[1].lower() == "chunked"
        said = fields.get("connection", ("", ""))[1].lower()
        self.keep = "keep-alive" in said if old else "close" not in said
        self.length: Optional[int] = None
        if status in (204, 304):
            self.length = 0
        elif not self.chunked and "content-length" in fields:
            self.length = _length(fields["content-length"][1])
        if self.length is None and not self.chunked:
            self.keep = False  # the body ends with the connection


def _read_head(sock: socket.socket) -> _Head:
    """Read the answer's head, skipping a 100 Continue (any 1xx) that goes before it."""
    import http.client

    buf = sock.recv(_READ)
    while True:
        lines, buf = _head_lines(sock, buf)
        line = lines[0]
        version, _, rest = line.partition(" ")
        code, _, reason = rest.strip().partition(" ")
        if not version.startswith("HTTP/") or not code.isdigit() or len(code) != 3:
            raise _BadAnswer(http.client.BadStatusLine(line + "\r\n"))
        if version != "HTTP/1.0" and not version.startswith("HTTP/1."):
            raise _BadAnswer(http.client.UnknownProtocol(version))
        status = int(code)
        if not 100 <= status < 200:
            return _Head(status, reason.strip(), lines[1:], buf, version == "HTTP/1.0")


def _head_lines(sock: socket.socket, buf: bytes) -> tuple[list[str], bytes]:
    """The lines of one head (up to its empty line), and the bytes read past it."""
    import http.client

    end = buf.find(b"\r\n\r\n")
    if 0 < end <= MAX_LINE:  # the usual answer: its whole head came at once, in CRLF lines
        head = buf[:end]
        if head.count(b"\n") == head.count(b"\r\n") and head.count(b"\n") <= MAX_HEADERS:
            return head.decode("iso-8859-1").split("\r\n"), buf[end + 4 :]
    lines: list[str] = []
    start = 0
    while True:
        end = buf.find(b"\n", start)
        if end < 0:
            if len(buf) - start > MAX_LINE:
                raise _BadAnswer(http.client.LineTooLong("header line" if lines else "status line"))
            data = sock.recv(_READ)
            if data:
                buf = buf[start:] + data if start else buf + data
                start = 0
                continue
            if not lines and start == len(buf):
                raise http.client.RemoteDisconnected(
                    "Remote end closed connection without response"
                )
            end = len(buf)  # the connection ended: what came last is the last line (readline)
        if end - start > MAX_LINE:
            raise _BadAnswer(http.client.LineTooLong("header line" if lines else "status line"))
        line = buf[start:end].rstrip(b"\r").decode("iso-8859-1")
        start = end + 1
        if start > len(buf):  # that was the end of the connection: so is it of the head
            if line:
                lines.append(line)
            return lines, b""
        if not line:
            if not lines:
                raise _BadAnswer(http.client.BadStatusLine("\r\n"))
            return lines, buf[start:]
        lines.append(line)
        if len(lines) > MAX_HEADERS + 1:
            raise _BadAnswer(http.client.HTTPException(f"got more than {MAX_HEADERS} headers"))


def _fields(lines: list[str]) -> dict[str, tuple[str, str]]:
    """(name, value) by lower-case name; repeated ones joined with ", " as ``requests`` does."""
    joined: dict[str, tuple[str, str]] = {}
    last = ""
    for line in lines:
        if line[:1] in (" ", "\t") and last:  # a folded line continues the previous value
            name, value = joined[last]
            joined[last] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon:
            continue  # not a header: http.client keeps it out of the headers too
        last = name.lower()
        value = value.strip()
        if last in joined:
            value = f"{joined[last][1]}, {value}"
            name = joined[last][0]
        joined[last] = (name, value)
    return joined


def _headers(fields: dict[str, tuple[str, str]]) -> Any:
    """The headers as ``requests`` gives them: a ``CaseInsensitiveDict``."""
    from requests.structures import CaseInsensitiveDict

    headers: Any = CaseInsensitiveDict()
    store = getattr(headers, "_store", None)
    if isinstance(store, dict) and not store:
        # Its own store is (name, value) by lower-case name, as ``fields`` is: filled at once
        # rather than a call per header.
        store.update(fields)
    else:
        headers.update(fields.values())
    return headers


def _length(said: str) -> Optional[int]:
    """The body's length from Content-Length, as ``urllib3`` reads it (None: unknown)."""
    try:
        lengths = {int(part) for part in said.split(",")}
    except ValueError:
        return None
    if len(lengths) > 1:
        raise _Unsupported(f"Content-Length contained multiple unmatching values ({said})")
    length = lengths.pop()
    return length if length >= 0 else None


class Answer:
    """What ``exchange`` reads of an answer, as ``requests.Response`` would give it."""

    __slots__ = ("_conn", "_done", "_head", "_pool", "headers", "reason", "status_code")

    def __init__(self, conn: Any, pool: Any, head: _Head) -> None:
        self._conn = conn
        self._pool = pool
        self._head = head
        self._done = False
        self.status_code: int = head.status
        self.reason: str = head.reason
        self.headers: Any = head.headers

    def wants_requests(self) -> bool:
        """A redirect to follow, a cookie to keep, or an encoding read only by ``requests``."""
        headers = self.headers
        coding = headers.get("content-encoding", "").strip().lower()
        return (
            (self.status_code in REDIRECTS and "location" in headers)
            or "set-cookie" in headers
            or coding not in ("", "identity", *_DECODED)
        )

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        """The body, decoded, in pieces; failures raised as ``requests`` raises them."""
        import http.client
        import ssl

        from requests import exceptions as rex
        from urllib3 import exceptions as u3

        coding = self.headers.get("content-encoding", "").strip().lower()
        decoder = _Decoder(coding) if coding in _DECODED else None
        try:
            for piece in self._body(chunk_size):
                if decoder is not None:
                    piece = decoder.feed(piece)
                if piece:
                    yield piece
            if decoder is not None:
                tail = decoder.flush()
                if tail:
                    yield tail
            self._done = True
        except socket.timeout as err:
            why = u3.ReadTimeoutError(self._pool, None, "Read timed out.")
            raise rex.ConnectionError(why) from err
        except ssl.SSLError as err:
            raise rex.SSLError(u3.SSLError(err)) from err
        except (OSError, http.client.HTTPException) as err:
            raise rex.ChunkedEncodingError(
                u3.ProtocolError(f"Connection broken: {err!r}", err)
            ) from err
        except zlib.error as err:
            raise rex.ContentDecodingError(
                u3.DecodeError(
                    f"Received response with content-encoding: {coding}, but failed to decode it.",
                    err,
                )
            ) from err

    def _body(self, size: int) -> Iterator[bytes]:
        import http.client

        head = self._head
        sock = self._conn.sock
        if head.chunked:
            yield from _chunks(sock, head.rest)
            return
        left = head.length
        piece = head.rest
        if left is not None and len(piece) > left:
            head.keep = False  # bytes past the body: the connection is out of step
            piece = piece[:left]
        while True:
            if piece:
                if left is not None:
                    left -= len(piece)
                yield piece
            if left == 0:
                return
            piece = sock.recv(size if left is None else min(size, left))
            if not piece:
                if left is None:
                    return  # the body ends with the connection
                raise http.client.IncompleteRead(b"", left)

    def close(self) -> None:
        """Keep the connection for the next read if the answer was read whole, else drop it."""
        if not (self._done and self._head.keep):
            self._conn.close()
        self._pool._put_conn(self._conn)


def _chunks(sock: socket.socket, buf: bytes) -> Iterator[bytes]:
    """A chunked body's data, the trailer read past, as ``http.client`` reads it."""
    import http.client

    while True:
        line, buf = _line(sock, buf, "chunk size")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise http.client.IncompleteRead(b"") from None
        if size == 0:
            while True:  # the trailer, up to its empty line
                line, buf = _line(sock, buf, "trailer line")
                if not line.strip():
                    return
        while size:
            if not buf:
                buf = sock.recv(_READ)
                if not buf:
                    raise http.client.IncompleteRead(b"", size)
            piece, buf = buf[:size], buf[size:]
            size -= len(piece)
            yield piece
        while len(buf) < 2:  # the CRLF after the chunk's data
            more = sock.recv(_READ)
            if not more:
                raise http.client.IncompleteRead(b"", 2 - len(buf))
            buf += more
        buf = buf[2:]


def _line(sock: socket.socket, buf: bytes, what: str) -> tuple[bytes, bytes]:
    import http.client

    while True:
        end = buf.find(b"\n")
        if end >= 0:
            if end > MAX_LINE:
                raise http.client.LineTooLong(what)
            return buf[:end].rstrip(b"\r"), buf[end + 1 :]
        if len(buf) > MAX_LINE:
            raise http.client.LineTooLong(what)
        more = sock.recv(_READ)
        if not more:
            raise http.client.IncompleteRead(buf)
        buf += more


class _Decoder:
    """gzip (members one after another) or deflate (zlib-wrapped or raw), as urllib3 reads it."""

    __slots__ = ("_bits", "_first", "_z")

    def __init__(self, coding: str) -> None:
        self._bits = _DECODED[coding]
        self._z = zlib.decompressobj(self._bits)
        self._first = True

    def feed(self, data: bytes) -> bytes:
        try:
            out = self._z.decompress(data)
        except zlib.error:
            if not (self._first and self._bits == zlib.MAX_WBITS):
                raise
            self._bits = -zlib.MAX_WBITS  # deflate sent without its zlib wrapper
            self._z = zlib.decompressobj(self._bits)
            out = self._z.decompress(data)
        self._first = False
        while self._z.unused_data and self._bits > zlib.MAX_WBITS:  # another gzip member
            rest = self._z.unused_data
            self._z = zlib.decompressobj(self._bits)
            out += self._z.decompress(rest)
        return out

    def flush(self) -> bytes:
        return self._z.flush()


__all__ = ["Answer", "Route", "route_for", "send"]
