"""Batch input, streamed: CSV with a header row, JSON lines, or a JSON array, one row at a time.

CSV fields are typed predictably: a field spelled as a JSON number becomes a number (``42`` an
integer, ``-3.5`` or ``1e3`` a float; ``007``, ``+1``, ``.5``, ``nan`` or ``1,000`` stay text),
an empty field is missing (left out of the features), anything else is text. Columns named in
``text_columns`` (``*``: all) stay text. JSON rows keep the types they have.
"""

from __future__ import annotations

import csv
import json
import re
from typing import IO, Any, Iterator, Optional, Sequence

from apinode_admin_cli import jsonutil
from apinode_admin_cli.errors import UsageError

FORMATS = ("csv", "jsonl", "json")
# JSON's number grammar: leading zeros (zip codes, ids) and other spellings stay text.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")
_NUMBER_START = frozenset("-0123456789")
_CHUNK = 1 << 16
# One row (a line, an array item, leading blank space) may not exceed this: an endless input
# (/dev/zero, a stuck producer) is refused instead of filling the memory.
MAX_ROW_CHARS = 16 * 1024 * 1024


class Row:
    """One input row: what to write back (``fields``) and what to send (``record``)."""

    __slots__ = ("fields", "record")

    def __init__(self, fields: dict[str, Any], record: dict[str, Any]) -> None:
        self.fields = fields
        self.record = record


def detect_format(name: str, given: Optional[str], first_char: str) -> str:
    """The batch format: as given, else by extension, else by the first character."""
    if given:
        return given
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if first_char == "[":
        return "json"
    if first_char == "{":
        return "jsonl"
    raise UsageError(
        f"cannot tell the format of {name}: it starts with neither [ nor {{",
        hint="name a .csv file or give --batch-format csv (or jsonl, json)",
    )


def convert(value: str) -> Any:
    """A CSV field as a number when it is one, else the text itself."""
    if value[:1] not in _NUMBER_START:  # most text is decided by its first character
        return value
    match = _NUMBER.match(value)
    if match is None:
        return value
    if match.group(1) is None and match.group(2) is None:
        return int(value)
    number = float(value)
    return number if number not in (float("inf"), float("-inf")) else value


def csv_rows(
    stream: IO[str], name: str, text_columns: Sequence[str] = (), field: str = "features"
) -> Iterator[Row]:
    """Rows of a CSV file with a header row."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise UsageError(f"{name} is empty: a CSV batch needs a header row") from None
    except csv.Error as exc:
        raise UsageError(f"{name}: malformed CSV header: {exc}") from None
    if len(set(header)) != len(header) or any(not h for h in header):
        raise UsageError(f"{name}: the CSV header must name each column once")
    all_text = "*" in text_columns
    typed = [not all_text and h not in text_columns for h in header]
    width = len(header)
    try:
        for values in reader:
            if not values:
                continue
            if len(values) != width:
                raise UsageError(
                    f"line {reader.line_num} of {name} has {len(values)} fields, the header {width}"
                )
            fields = dict(zip(header, values))
            features = {
                h: (convert(v) if t else v) for h, v, t in zip(header, values, typed) if v != ""
            }
            yield Row(fields, {field: features})
    except csv.Error as exc:
        raise UsageError(f"line {reader.line_num} of {name}: malformed CSV: {exc}") from None


def as_record(item: Any, where: str, field: str = "features") -> Row:
    """A JSON row: an object of features, or a record already shaped for the user API."""
    if not isinstance(item, dict):
        raise UsageError(f"{where} is not a JSON object")
    inner = item.get(field)
    if isinstance(inner, dict) and set(item) <= {field, "context"}:
        return Row(dict(inner), dict(item))
    return Row(item, {field: item})


def _too_large(what: str) -> UsageError:
    return UsageError(f"{what} is larger than {MAX_ROW_CHARS // (1024 * 1024)} MiB; refusing it")


def jsonl_rows(stream: IO[str], name: str, field: str = "features") -> Iterator[Row]:
    """Rows of a JSON lines file (blank lines skipped)."""
    number = 0
    while True:
        line = stream.readline(MAX_ROW_CHARS + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_ROW_CHARS:
            raise _too_large(f"line {number} of {name}")
        if not line.strip():
            continue
        try:
            value = jsonutil.loads(line)
        except ValueError as exc:
            raise UsageError(f"line {number} of {name} is not valid JSON: {exc}") from None
        yield as_record(value, f"line {number} of {name}", field)


def json_array_rows(stream: IO[str], name: str, field: str = "features") -> Iterator[Row]:
    """Rows of a JSON array, decoded item by item without reading the whole file."""
    array = _ArrayReader(stream, name)
    for index, value in enumerate(array.items(), 1):
        yield as_record(value, f"item {index} of {name}", field)


class _ArrayReader:
    """Walks ``[item, item, ...]`` over a stream, holding about one block in memory."""

    def __init__(self, stream: IO[str], name: str) -> None:
        self.stream = stream
        self.name = name
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder(
            parse_constant=jsonutil._constant, parse_float=jsonutil._finite
        )

    def _fill(self) -> bool:
        """Read another block (dropping what was consumed); False at the end of the stream."""
        if len(self.buffer) - self.pos > MAX_ROW_CHARS:
            raise _too_large(f"an item of {self.name}")
        more = "" if self.eof else self.stream.read(_CHUNK)
        self.eof = not more
        self.buffer, self.pos = self.buffer[self.pos :] + more, 0
        return bool(more)

    def _next_char(self) -> str:
        while True:
            self.pos = _skip(self.buffer, self.pos)
            if self.pos < len(self.buffer) or not self._fill():
                return self.buffer[self.pos : self.pos + 1]

    def _decode(self, index: int) -> Any:
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except (ValueError, RecursionError) as exc:
                if self._fill():  # the item may go on in the next block
                    continue
                raise UsageError(f"item {index} of {self.name} is not valid JSON: {exc}") from None
            # A number ending the block may go on in the next one.
            if end >= len(self.buffer) and self._fill():
                continue
            self.pos = end
            return value

    def items(self) -> Iterator[Any]:
        if self._next_char() != "[":
            raise UsageError(f"{self.name} is not a JSON array")
        self.pos += 1
        if self._next_char() == "]":
            return
        index = 0
        while True:
            index += 1
            yield self._decode(index)
            char = self._next_char()
            self.pos += 1
            if char == "]":
                return
            if char != ",":
                raise UsageError(f"{self.name}: the JSON array is malformed after item {index}")
            self._next_char()


def _skip(buffer: str, pos: int) -> int:
    while pos < len(buffer) and buffer[pos] in " \t\r\n":
        pos += 1
    return pos


def open_rows(
    stream: IO[str],
    name: str,
    fmt: Optional[str] = None,
    text_columns: Sequence[str] = (),
    field: str = "features",
) -> Iterator[Row]:
    """Rows of ``stream`` in ``fmt`` (else detected from ``name`` and its first character)."""
    head, skipped = stream.read(1), 0
    while head and head.isspace():
        skipped += 1
        if skipped > MAX_ROW_CHARS:
            raise _too_large(f"the blank space starting {name}")
        head = stream.read(1)
    if not head:
        raise UsageError(f"{name} holds no records", hint="one JSON object per line, or CSV")
    first = head
    source: Any = _Prefixed(head, stream)
    kind = detect_format(name, fmt, first)
    if kind == "csv":
        return csv_rows(source, name, text_columns, field)
    if kind == "jsonl":
        return jsonl_rows(source, name, field)
    return json_array_rows(source, name, field)


class _Prefixed:
    """A text stream with a few characters already read put back in front."""

    def __init__(self, prefix: str, stream: IO[str]) -> None:
        self._prefix = prefix
        self._stream = stream

    def read(self, size: int = -1) -> str:
        prefix, self._prefix = self._prefix, ""
        if size < 0:
            return prefix + self._stream.read()
        return prefix + self._stream.read(max(0, size - len(prefix)))

    def readline(self, size: int = -1) -> str:
        prefix, self._prefix = self._prefix, ""
        rest = size - len(prefix) if size >= 0 else -1
        return prefix + self._stream.readline(rest)

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        # The csv module reads line by line: a line is capped as a JSON line is.
        line = self.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        if len(line) > MAX_ROW_CHARS:
            raise _too_large("a line of the input")
        return line
