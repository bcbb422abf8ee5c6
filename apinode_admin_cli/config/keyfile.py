"""The admin key held in a file, read one way for every caller; loose file modes warned about."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO, Optional, Union

from apinode_admin_cli.errors import ConfigError

# A key is short: anything longer is the wrong file (or /dev/zero), read no further.
MAX_KEY_FILE_BYTES = 64 * 1024


def read_key_file(
    key_path: str, stdin: Optional[IO[str]] = None, warnings: Optional[list[str]] = None
) -> str:
    """The admin key held in a file (``-``: stdin), stripped; ConfigError when unusable."""
    data: Union[str, bytes]
    if key_path == "-":
        from apinode_admin_cli.inputs import claim_stdin

        stream = stdin or sys.stdin
        claim_stdin(stream, "the API key (--api-key-file -)")
        shown, data = "standard input", stream.read(MAX_KEY_FILE_BYTES + 1)
    else:
        shown = key_path
        try:
            with open(key_path, "rb") as handle:
                data = handle.read(MAX_KEY_FILE_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read API key file {key_path}: {exc.strerror or exc}")
        if warnings is not None:
            warn_if_loose(Path(key_path), "API key file", warnings)
    if len(data) > MAX_KEY_FILE_BYTES:
        raise ConfigError(f"API key file {shown} is larger than 64 KiB: it holds no API key")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"API key file {key_path} is not UTF-8 text")
    key = data.strip()
    if not key:
        raise ConfigError(f"API key file {shown} is empty")
    return key


def warn_if_loose(path: Path, what: str, warnings: list[str]) -> None:
    if os.name == "nt":
        return  # POSIX mode bits mean nothing there
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return
    if mode & 0o077:
        warnings.append(
            f"{what} {path} is accessible by others (mode {mode:04o}) and holds an API key: "
            f"chmod 600 {path}"
        )


__all__ = ["read_key_file", "warn_if_loose"]
