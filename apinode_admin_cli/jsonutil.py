"""Strict JSON both ways, shared by the client (answers) and the CLI (input files, output).

Python's ``json`` accepts ``NaN``, ``Infinity`` and ``-Infinity`` and turns ``1e999`` into an
infinite float; none of that is JSON, and a node or a script that sends it is broken. Deeply
nested documents make ``json`` raise ``RecursionError``, which is not a ``ValueError``; here every
way of not being JSON is a ``ValueError``. Output refuses the same numbers (``jq`` and every
other parser would choke on them) and escapes the controls a terminal would obey.
"""

from __future__ import annotations

import json
import math
import re
from typing import IO, Any, Optional, Union

# DEL and the C1 controls (CSI among them) pass json.dumps(ensure_ascii=False) unescaped;
# inside a JSON string ``\u009b`` means the same and shows as text. So do lone surrogates
# (``loads`` lets ``"\ud800"`` through), which no UTF-8 stream can carry: escaped, they print.
# (A pattern, not a translation table: the table's 2,000 entries cost 1 ms at every start.)
_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


class NotANumberError(ValueError):
    """A JSON text spelling a number JSON does not have (``NaN``, ``Infinity``, ``1e999``)."""


def _constant(name: str) -> Any:
    raise NotANumberError(f"{name} is not a JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotANumberError(f"the number {text[:40]} is too large for JSON")
    return value


class TooDeepError(ValueError):
    """The document may well be JSON, but it is nested too deeply to read."""


def loads(text: Union[str, bytes, bytearray]) -> Any:
    """``json.loads`` refusing NaN, infinities and over-deep nesting, all as ``ValueError``."""
    try:
        return json.loads(text, parse_constant=_constant, parse_float=_finite)
    except RecursionError:
        raise TooDeepError("the JSON is nested too deeply to read") from None


def dumps(
    data: Any,
    *,
    indent: Optional[int] = None,
    separators: Optional[tuple[str, str]] = None,
    ensure_ascii: bool = False,
) -> str:
    """JSON text of ``data``; ValueError when it holds NaN or Infinity (no JSON spelling)."""
    text = json.dumps(
        data, indent=indent, separators=separators, ensure_ascii=ensure_ascii, allow_nan=False
    )
    return _UNSAFE.sub(_escape, text)


def dump_answer(data: Any, **options: Any) -> str:
    """:func:`dumps` for a node's answer: one with NaN or Infinity is an invalid answer (exit 1)."""
    try:
        return dumps(data, **options)
    except ValueError:
        raise _not_json_numbers() from None


def _not_json_numbers() -> Exception:
    from apinode_admin_cli.errors import InvalidResponseError

    return InvalidResponseError(
        "the node's answer holds NaN or Infinity, which JSON cannot carry",
        hint="the node sent numbers no JSON parser accepts; report it to its administrator",
    )


# Text held before the first write: an answer this small is refused whole (NaN) or printed
# whole; a larger one streams, and only what precedes a refused number can have been written.
_FIRST_WRITE = 1 << 20
_CHUNK = 1 << 16


def write_answer(data: Any, stream: IO[str], *, indent: Optional[int] = 2) -> None:
    """:func:`dump_answer` written to ``stream`` as it is encoded, plus a newline.

    The text is never held whole: a large listing is written as it is encoded, not encoded
    into one string (and escaped into another) first. A number JSON cannot carry is an
    invalid answer, as in ``dump_answer``; answers read by the client never hold one.
    """
    encoder = json.JSONEncoder(indent=indent, ensure_ascii=False, allow_nan=False)
    pending: list[str] = []
    size, limit = 0, _FIRST_WRITE
    try:
        for piece in encoder.iterencode(data):
            pending.append(piece)
            size += len(piece)
            if size >= limit:
                stream.write(_UNSAFE.sub(_escape, "".join(pending)))
                pending, size, limit = [], 0, _CHUNK
    except ValueError:
        raise _not_json_numbers() from None
    pending.append("\n")
    stream.write(_UNSAFE.sub(_escape, "".join(pending)))


__all__ = ["NotANumberError", "TooDeepError", "dump_answer", "dumps", "loads", "write_answer"]
