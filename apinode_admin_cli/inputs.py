"""The one capped reader of what a user hands the tool: a file, or stdin for ``-``.

Every input is read with a bound (an endless ``/dev/zero`` or a stuck pipe must not eat the
memory) and must be UTF-8 text; every fault is a UsageError naming the input.
"""

from __future__ import annotations

import sys
import weakref
from typing import IO, Any, Optional, Union

from apinode_admin_cli.errors import UsageError

MAX_INPUT_BYTES = 16 * 1024 * 1024

Source = Union[IO[str], IO[bytes], str, bytes]


# Who read each stdin stream already: one stream cannot feed two inputs (a key and a file).
_READERS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def claim_stdin(stream: Any, what: str) -> None:
    """Note that ``what`` reads ``stream``; UsageError if something else read it before.

    `--api-key-file -` with a mapping (or features, or a state file) on `-` left the second
    reader an empty stream, and a puzzling "not valid JSON" or "empty" error.
    """
    try:
        first = _READERS.get(stream)
        if first is None or first == what:
            _READERS[stream] = what
            return
    except TypeError:  # a stream that cannot be tracked: nothing to say
        return
    raise UsageError(
        f"standard input cannot feed both {first} and {what}",
        hint="give one of them in a file instead of -",
    )


def read_input(
    path: str,
    shown: str,
    max_bytes: int = MAX_INPUT_BYTES,
    stdin: Optional[Source] = None,
) -> str:
    """The text of the file ``path``, or of ``stdin`` (default: the process's) for ``-``."""
    if path == "-":
        stream = sys.stdin if stdin is None else stdin
        claim_stdin(stream, "this command's input (-)")
        return read_source(stream, shown, max_bytes)
    try:
        with open(path, "rb") as handle:
            data = _capped(handle, shown, max_bytes)
    except OSError as exc:
        raise UsageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    except ValueError:  # open() refuses a NUL character in a path
        raise UsageError(f"cannot read {path!r}: no file name holds a NUL character") from None
    return decode_input(data, shown)


def read_source(source: Source, shown: str, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """The text of a stream (bytes under a text stream are read as bytes), or of given text."""
    return decode_input(_capped(source, shown, max_bytes), shown)


def decode_input(raw: Union[str, bytes], shown: str) -> str:
    """UTF-8 text without a leading byte-order mark; UsageError naming the first bad byte."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{shown} is not UTF-8 text (byte {exc.start})") from None
    return raw[1:] if raw.startswith("\ufeff") else raw


def too_large(shown: str, max_bytes: int) -> UsageError:
    size = f"{max_bytes // 2**20} MiB" if max_bytes >= 2**20 else f"{max_bytes} bytes"
    return UsageError(f"{shown} is larger than {size}; refusing it")


def _capped(source: Source, shown: str, max_bytes: int) -> Union[str, bytes]:
    data: Any
    if isinstance(source, (str, bytes)):
        data = source
    else:
        # Bytes under a text stream (sys.stdin): bad UTF-8 then gets our message, not a traceback.
        binary = getattr(source, "buffer", source)
        try:
            data = binary.read(max_bytes + 1)
        except UnicodeDecodeError as exc:
            raise UsageError(f"{shown} is not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise UsageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise too_large(shown, max_bytes)
    return bytes(data) if isinstance(data, (bytearray, memoryview)) else data


__all__ = ["MAX_INPUT_BYTES", "decode_input", "read_input", "read_source", "too_large"]
