"""The data dir as a DSS API node lays it out: node files, entry names, the lock, the version."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Optional

from apinode_admin_cli.atomicfile import write_atomic

DEFAULT_DSS_VERSION = "14.0"
HASHED_KEYS_SINCE = (13, 1)  # keys stored hashed, listed masked with an id, deletable by id
MAX_NAME_BYTES = 255  # the file name limit of ext4, xfs, APFS and NTFS
LOCK_FILE = "run/emulator.lock"
LOG_FILE = "run/apimain.log"


class SetupError(OSError):
    """The emulator cannot start as asked; its message is one line for the operator.

    An OSError, so that callers reporting "cannot serve" report it too, with no traceback.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "cannot start the emulator"


class DataDirError(SetupError):
    """A data dir the emulator cannot use: in use by another emulator, or a corrupt file."""


def parse_dss_version(text: Any) -> tuple[int, int]:
    """``(major, minor)`` from ``X.Y`` (or ``X.Y.Z``); ValueError otherwise."""
    match = re.fullmatch(r"\s*([0-9]{1,3})\.([0-9]{1,3})(?:\.[0-9]{1,3})?\s*", str(text))
    if not isinstance(text, str) or match is None:
        raise ValueError(f"invalid --dss-version: {text!r} is not a version like 13.1 or 12.6")
    return int(match.group(1)), int(match.group(2))


def entry_name(identifier: str) -> str:
    """The file name of a service or generation: its id, shortened when too long for a name.

    A node names these folders by their ids; an id whose UTF-8 spelling exceeds the file name
    limit keeps a readable prefix and gains a digest of the whole id, so that it stays unique.
    """
    raw = identifier.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_NAME_BYTES:
        return identifier
    digest = hashlib.sha256(raw).hexdigest()[:16]
    prefix = raw[: MAX_NAME_BYTES - 2 * len(digest)].decode("utf-8", "ignore")
    return f"{prefix}~{digest}"


def write_node_files(data_dir: Path, port: int, version: tuple[int, int]) -> None:
    """The files a node's installer writes, so that scripts reading them find this emulator."""
    base_port = max(port - 1, 0)  # the installer listens on base + 1 for the API node
    (data_dir / "bin").mkdir(exist_ok=True)
    install = f"[general]\nnodetype = api\n\n[server]\nport = {base_port}\n"
    write_atomic(data_dir / "install.ini", install.encode("utf-8"), mode=0o644)
    home = str(data_dir.resolve()).replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    env = (
        "# Written by the apinode-admin emulator at each start, as a node's installer does at\n"
        "# install time. Customise the environment in bin/env-site.sh instead.\n"
        'export DKU_NODE_TYPE="api"\n'
        f'export DKU_BASE_PORT="{base_port}"\n'
        f'export DKU_APIMAIN_PORT="{port}"\n'
        f'export DKU_LAMBDA_HOME="{home}"\n'
    )
    write_atomic(data_dir / "bin" / "env-default.sh", env.encode("utf-8"), mode=0o644)
    site = data_dir / "bin" / "env-site.sh"
    if not site.exists():  # the operator's own file: created once, never overwritten
        text = "# Site-specific environment of this (emulated) API node.\n"
        write_atomic(site, text.encode("utf-8"), mode=0o644)
    about = {"product_version": "{}.{}.0".format(*version), "emulated": True}
    write_atomic(data_dir / "dss-version.json", json.dumps(about).encode("utf-8"), mode=0o644)


class DataDirLock:
    """An exclusive lock on a data dir, held while the emulator runs (released at exit or death)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: Optional[IO[str]] = None

    def acquire(self) -> None:
        """Take the lock, else DataDirError naming the data dir and the process holding it."""
        try:
            import fcntl
        except ImportError:  # Windows: no advisory lock; documented as unprotected
            return
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held for life)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DataDirError(
                f"data dir {self.path.parent.parent} is in use by another emulator "
                f"(pid {holder}): stop it, or give another --data-dir"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Let another emulator use the data dir."""
        if self._handle is not None:
            self._handle.close()  # closing the descriptor drops the flock
            self._handle = None


@contextlib.contextmanager
def claim_data_dir(data_dir: Path, folders: Iterable[str]) -> Iterator[DataDirLock]:
    """Make ``data_dir``, lock it, make its ``folders``, and yield the lock.

    Before anything is read: another emulator may be writing. An error in the body (a
    corrupt file) releases the lock, so that the data dir is not held by an emulator that
    never started.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = DataDirLock(data_dir)
    lock.acquire()
    try:
        for folder in folders:
            (data_dir / folder).mkdir(exist_ok=True)
        yield lock
    except BaseException:
        lock.release()
        raise


def load_json(path: Path, what: str) -> Any:
    """A JSON file of the data dir, else DataDirError saying what is wrong and where."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DataDirError(
            f"corrupt {what} {path}: not valid JSON ({exc}); restore it from a backup or "
            "remove it (what it held is then lost)"
        )
    except OSError as exc:
        raise DataDirError(f"cannot read {what} {path}: {exc.strerror or exc}")


def expect(condition: bool, path: Path, what: str, problem: str) -> None:
    """DataDirError unless ``condition``: a file that parses but does not hold what it should."""
    if not condition:
        raise DataDirError(f"corrupt {what} {path}: {problem}; restore it or remove it")
