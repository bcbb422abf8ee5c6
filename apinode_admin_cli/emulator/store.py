"""Durable emulator state: one JSON file replaced atomically under a lock, plus archive files."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import quote

from apinode_admin_cli.atomicfile import write_atomic

STATE_FILE = "state.json"
ADMIN_KEY_FILE = "admin-key"
ARCHIVES_DIR = "archives"
INCOMING_DIR = "incoming"  # copies in progress, which the state never refers to
SCHEMA_VERSION = 1
_KEY_ALPHABET = string.ascii_letters + string.digits


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return int(time.time() * 1000)


def hash_key(secret: str) -> str:
    """The stored form of an API key: its hex SHA-256."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> str:
    """A fresh 32-character alphanumeric API key, safe in a URL path."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(32))


def empty_state() -> dict[str, Any]:
    """The state of a brand new data dir."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "importSeq": 0,
        "services": {},
        "keys": [],
        "codeEnvs": [],
        "modelCache": [],
    }


def safe_name(identifier: str) -> str:
    """A file-system-safe spelling of a service or generation id."""
    return quote(identifier, safe="") or "_"


class Store:
    """The emulator's state, held in memory and mirrored on disk after every change."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / ARCHIVES_DIR).mkdir(exist_ok=True)
        (self.data_dir / INCOMING_DIR).mkdir(exist_ok=True)
        self.lock = threading.RLock()
        self._path = self.data_dir / STATE_FILE
        self._state = self._load()
        self._clean_temp_files()

    def _load(self) -> dict[str, Any]:
        if not self._path.exists():
            return empty_state()
        with open(self._path, encoding="utf-8") as handle:
            state = json.load(handle)
        base = empty_state()
        base.update(state)
        return base

    def _clean_temp_files(self) -> None:
        # Leftovers of writes interrupted by a kill; the state file never points at them.
        leftovers = [*self.data_dir.glob(".*.tmp"), *self.incoming_dir().iterdir()]
        for leftover in leftovers:
            with contextlib.suppress(OSError):
                leftover.unlink()

    def read(self) -> dict[str, Any]:
        """A deep copy of the current state, safe to inspect without the lock."""
        with self.lock:
            return copy.deepcopy(self._state)

    def read_service(self, service_id: str) -> Optional[dict[str, Any]]:
        """A deep copy of one service record, or None: cheaper than :meth:`read`."""
        with self.lock:
            service = self._state["services"].get(service_id)
            return copy.deepcopy(service) if service is not None else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """Yield a draft of the state; on normal exit it is saved and becomes the state."""
        with self.lock:
            draft = copy.deepcopy(self._state)
            yield draft
            data = json.dumps(draft, indent=1, sort_keys=True).encode("utf-8")
            write_atomic(self._path, data, mode=0o644)
            self._state = draft

    # -- keys ----------------------------------------------------------------------------

    def find_key(self, secret: str) -> Optional[dict[str, Any]]:
        """The stored key whose secret is ``secret``, or None."""
        digest = hash_key(secret)
        with self.lock:
            for key in self._state["keys"]:
                if secrets.compare_digest(key["hash"], digest):
                    return dict(key)
        return None

    def ensure_bootstrap_key(self, secret: str) -> None:
        """Make ``secret`` the bootstrap admin key, replacing an earlier bootstrap key."""
        digest = hash_key(secret)
        with self.lock:
            current = [k for k in self._state["keys"] if k.get("bootstrap")]
            if current and current[0]["hash"] == digest and len(current) == 1:
                return
            with self.transaction() as state:
                keep = [k for k in state["keys"] if not k.get("bootstrap")]
                old_id = current[0]["id"] if current else secrets.token_hex(8)
                keep.insert(0, bootstrap_record(old_id, digest))
                state["keys"] = keep

    # -- archives ------------------------------------------------------------------------

    def archive_dir(self, service_id: str) -> Path:
        """The folder holding a service's imported archives."""
        return self.data_dir / ARCHIVES_DIR / safe_name(service_id)

    def incoming_dir(self) -> Path:
        """Where imports copy archives before the state refers to them (same file system)."""
        return self.data_dir / INCOMING_DIR


def bootstrap_record(key_id: str, digest: str) -> dict[str, Any]:
    """The stored record of the bootstrap admin key."""
    return {
        "id": key_id,
        "hash": digest,
        "label": "bootstrap",
        "description": "Bootstrap admin key of the emulator",
        "createdBy": "emulator",
        "createdOn": now_ms(),
        "expiry": None,
        "bootstrap": True,
    }


def resolve_admin_key(data_dir: Path, given: Optional[str]) -> tuple[str, str]:
    """The bootstrap key: given, else from the environment, else read or generated in data_dir.

    Returns ``(key, source)``, source being ``given``, ``env``, ``file`` or ``generated``.
    """
    if given:
        return given, "given"
    from_env = os.environ.get("APINODE_EMULATOR_ADMIN_KEY")
    if from_env:
        return from_env, "env"
    path = Path(data_dir) / ADMIN_KEY_FILE
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored, "file"
    secret = new_secret()
    write_atomic(path, (secret + "\n").encode("ascii"), mode=0o600)
    return secret, "generated"
