"""Request body framing, strictly: a truncated or ambiguous body is refused, never applied."""

from __future__ import annotations

import re
from typing import Any

from apinode_admin_cli.emulator.errors import ApiError

MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_LINE_BYTES = 4096  # a chunk-size or trailer line
MAX_TRAILERS = 100
_DISCARD_PIECE = 64 * 1024
_DECIMAL = re.compile(r"[0-9]{1,20}")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class FramingError(ApiError):
    """The body's framing is broken: answered, then the connection is closed (it is lost)."""


# A request's head: at most this many header lines, each at most this long (the standard
# library's limits, answered 431 like it).
MAX_HEAD_LINE = 65536
MAX_HEADERS = 100
# A header line: a name of visible characters but the colon, then the colon; or a folded
# line continuing the previous header. The first line that is neither ends the headers read
# (as with the standard library's e-mail parser): the rest of the head is ignored.
_FIELD = re.compile(r"([\x21-\x39\x3b-\x7e]*):[ \t]*(.*)\Z", re.DOTALL)


class HeadTooLarge(Exception):
    """A header line over MAX_HEAD_LINE bytes, or more than MAX_HEADERS of them."""


class Fields:
    """A request's header fields in their order, looked up by name whatever its case.

    The reading side of ``email.message.Message`` that the handlers use (``get``,
    ``get_all``, ``items``), without the e-mail parser's cost on every request.
    """

    __slots__ = ("_pairs",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs

    def items(self) -> list[tuple[str, str]]:
        return list(self._pairs)

    def get(self, name: str, default: Any = None) -> Any:
        low = name.lower()
        for key, value in self._pairs:
            if key.lower() == low:
                return value
        return default

    def get_all(self, name: str, default: Any = None) -> Any:
        low = name.lower()
        found = [value for key, value in self._pairs if key.lower() == low]
        return found or default


def read_fields(rfile: Any) -> Fields:
    """The header fields of a request whose request line was read, up to the empty line."""
    lines: list[bytes] = []
    while True:
        line = rfile.readline(MAX_HEAD_LINE + 1)
        if len(line) > MAX_HEAD_LINE:
            raise HeadTooLarge("Line too long")
        if line in (b"\r\n", b"\n", b""):
            break
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise HeadTooLarge("Too many headers")
    pairs: list[tuple[str, str]] = []
    for raw in lines:
        text = raw.decode("iso-8859-1").rstrip("\r\n")
        if text[:1] in (" ", "\t"):
            if not pairs:
                break
            name, value = pairs[-1]
            pairs[-1] = (name, f"{value} {text.strip()}")
            continue
        field = _FIELD.match(text)
        if field is None:
            break
        if field.group(1):  # a line with no name before its colon is left out
            pairs.append((field.group(1), field.group(2)))
    return Fields(pairs)


def read_body(rfile: Any, headers: Any, keep: bool = True) -> tuple[bytes, int]:
    """The request body that ``headers`` (an ``email.message.Message``) announce, and its size.

    ``keep=False`` reads it piece by piece and keeps nothing (a request refused before it is
    read costs no memory), with the same framing checks.
    """
    lengths: list[str] = headers.get_all("Content-Length") or []
    encodings: list[str] = headers.get_all("Transfer-Encoding") or []
    if len(lengths) > 1:
        # Equal or not, two lengths mean two parsers may disagree about where the body ends.
        raise FramingError(400, f"Ambiguous request: {len(lengths)} Content-Length headers")
    if encodings:
        if lengths:
            raise FramingError(
                400, "Ambiguous request: both Transfer-Encoding and Content-Length are set"
            )
        if len(encodings) > 1 or encodings[0].strip().lower() != "chunked":
            shown = ", ".join(e.strip() for e in encodings)[:80]
            raise FramingError(
                501, f"Transfer-Encoding {shown!r} is not supported: send chunked or a length"
            )
        return _read_chunked(rfile, keep)
    if not lengths:
        return b"", 0
    text = lengths[0].strip()
    if not _DECIMAL.fullmatch(text):
        raise FramingError(400, f"Invalid Content-Length {text[:40]!r}")
    length = int(text)
    if length > MAX_BODY_BYTES:
        raise FramingError(413, f"Body of {length} bytes refused (limit {MAX_BODY_BYTES})")
    return _read_exactly(rfile, length, keep), length


def _read_exactly(rfile: Any, size: int, keep: bool = True) -> bytes:
    if not keep:
        left = size
        while left:
            piece = rfile.read(min(left, _DISCARD_PIECE))
            if not piece:
                raise FramingError(
                    400,
                    f"Truncated request body: {size - left} of {size} bytes before the end "
                    "of input",
                )
            left -= len(piece)
        return b""
    data = rfile.read(size) if size else b""
    if len(data) != size:
        raise FramingError(
            400, f"Truncated request body: {len(data)} of {size} bytes before the end of input"
        )
    return data


def _read_line(rfile: Any, what: str) -> bytes:
    line: bytes = rfile.readline(MAX_LINE_BYTES + 1)
    if not line:
        raise FramingError(400, f"Truncated chunked body: the input ended before {what}")
    if not line.endswith(b"\n"):
        raise FramingError(400, f"Malformed chunked body: {what} is longer than {MAX_LINE_BYTES}")
    return line


def _read_chunked(rfile: Any, keep: bool) -> tuple[bytes, int]:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_text = _read_line(rfile, "a chunk size").split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_text):
            shown = size_text[:20].decode("latin-1")
            raise FramingError(400, f"Malformed chunked body: chunk size {shown!r}")
        size = int(size_text, 16)
        if size == 0:
            for _ in range(MAX_TRAILERS):
                if not _read_line(rfile, "the end of the trailers").strip():
                    return b"".join(chunks), total
            raise FramingError(400, f"Malformed chunked body: more than {MAX_TRAILERS} trailers")
        total += size
        if total > MAX_BODY_BYTES:
            raise FramingError(413, f"Body refused (limit {MAX_BODY_BYTES} bytes)")
        chunks.append(_read_exactly(rfile, size, keep))
        if _read_line(rfile, "the end of a chunk").strip():
            raise FramingError(400, "Malformed chunked body: a chunk longer than its size")
