"""Admin keys in ``config/adminkeys.json``, the file a node reads and Dataiku's tool appends to."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import secrets
import string
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional

from apinode_admin_cli.atomicfile import write_atomic
from apinode_admin_cli.emulator.datadir import DataDirError, expect, load_json

KEYS_FILE = "config/adminkeys.json"
ADMIN_KEY_FILE = "admin-key"  # the generated bootstrap key, for the operator to read
_KEY_ALPHABET = string.ascii_letters + string.digits


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return int(time.time() * 1000)


def new_secret() -> str:
    """A fresh 32-character alphanumeric API key, safe in a URL path."""
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(32))


def hash_key(secret: str) -> str:
    """The stored form of an API key on nodes that hash them: its hex SHA-256."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def key_id(record: dict[str, Any]) -> str:
    """The id of a key; one written without an id (by hand, by Dataiku's tool) gets a stable one."""
    if isinstance(record.get("id"), str):
        return str(record["id"])
    proof = record.get("hash") or hash_key(str(record.get("key")))
    return hashlib.sha256(f"id:{proof}".encode()).hexdigest()[:16]


def matches(record: dict[str, Any], secret: str, digest: str) -> bool:
    """Whether ``record`` is the key ``secret`` (kept in clear, or as its hash)."""
    clear = record.get("key")
    if isinstance(clear, str):
        given = secret.encode("utf-8", "surrogatepass")
        return secrets.compare_digest(clear.encode("utf-8", "surrogatepass"), given)
    stored = record.get("hash")
    return isinstance(stored, str) and secrets.compare_digest(stored, digest)


class KeyFile:
    """The keys, re-read whenever another program changed the file (checked on each use)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / KEYS_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._doc: dict[str, Any] = {"keys": []}
        self._seen: Optional[tuple[int, int, int]] = None
        self.warn: Callable[[str], None] = lambda line: None
        if self.path.exists():
            self._doc = self._parse(load_json(self.path, "admin keys file"))
            self._seen = self._signature()

    def _signature(self) -> Optional[tuple[int, int, int]]:
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return (info.st_ino, info.st_size, info.st_mtime_ns)

    def _parse(self, doc: Any) -> dict[str, Any]:
        what = "admin keys file"
        expect(isinstance(doc, dict), self.path, what, 'expected an object {"keys": [...]}')
        keys = doc.setdefault("keys", [])
        expect(isinstance(keys, list), self.path, what, "'keys' is not a list")
        for index, record in enumerate(keys):
            ok = isinstance(record, dict) and (
                isinstance(record.get("key"), str) or isinstance(record.get("hash"), str)
            )
            expect(ok, self.path, what, f"key #{index + 1} has neither a 'key' nor a 'hash'")
        return dict(doc)

    def _refresh(self, force: bool = False) -> None:
        signature = self._signature()
        if signature == self._seen and not force:
            return
        self._seen = signature
        if signature is None:
            self._doc = {"keys": []}  # removed by hand: no key but the bootstrap one
            return
        try:
            self._doc = self._parse(load_json(self.path, "admin keys file"))
        except DataDirError as exc:
            # Another program may be half-way through rewriting it: keep the keys last read.
            self.warn(f"keeping the admin keys last read: {exc}")

    def records(self) -> list[dict[str, Any]]:
        """Copies of the key records, in file order."""
        with self._lock:
            self._refresh()
            return copy.deepcopy(self._doc["keys"])

    def find(self, secret: str) -> Optional[dict[str, Any]]:
        """The record of the key ``secret``, or None."""
        digest = hash_key(secret)
        with self._lock:
            for attempt in range(2):
                # A rewrite within one tick of the file clock, at the same size, keeps the
                # signature: an unknown key re-reads the file once before it is refused.
                self._refresh(force=attempt == 1)
                for record in self._doc["keys"]:
                    if matches(record, secret, digest):
                        return dict(record)
        return None

    def update(self, change: Callable[[list[dict[str, Any]]], Any]) -> Any:
        """Apply ``change`` to the list of records and write the file; return its result."""
        with self._lock:
            self._refresh()  # what another program appended since is kept
            keys = copy.deepcopy(self._doc["keys"])
            result = change(keys)
            doc = dict(self._doc, keys=keys)
            try:
                mode = os.stat(self.path).st_mode & 0o777  # as the operator left it
            except OSError:
                mode = 0o600  # secrets: readable by the node's user only
            write_atomic(self.path, json.dumps(doc, indent=2).encode("utf-8"), mode=mode)
            self._doc = doc
            self._seen = self._signature()
            return result


def ensure_bootstrap_key(keys_file: KeyFile, secret: str, clear: bool) -> None:
    """Make ``secret`` the bootstrap admin key, replacing an earlier bootstrap key.

    ``clear``: kept in clear, as nodes before 13.1 keep every key; else hashed.
    """
    wanted = {"key": secret} if clear else {"hash": hash_key(secret)}
    current = [k for k in keys_file.records() if k.get("bootstrap")]
    if len(current) == 1 and all(current[0].get(f) == v for f, v in wanted.items()):
        return

    def replace(keys: list[dict[str, Any]]) -> None:
        old_id = current[0].get("id") if current else None
        kept = [k for k in keys if not k.get("bootstrap")]
        keys[:] = [bootstrap_record(old_id or secrets.token_hex(8), wanted), *kept]

    keys_file.update(replace)


def bootstrap_record(key_id: str, secret_field: dict[str, str]) -> dict[str, Any]:
    """The stored record of the bootstrap admin key."""
    return {
        "id": key_id,
        **secret_field,
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
    return resolve_key(data_dir, given, "APINODE_EMULATOR_ADMIN_KEY", ADMIN_KEY_FILE)


def resolve_key(
    data_dir: Path, given: Optional[str], env_var: str, file_name: str
) -> tuple[str, str]:
    """An emulator's key: given, else from ``env_var``, else read or generated in data_dir.

    Returns ``(key, source)``, source being ``given``, ``env``, ``file`` or ``generated``; a
    generated key is kept in ``data_dir/file_name`` (0600) for the operator and the next run.
    """
    if given:
        return given, "given"
    from_env = os.environ.get(env_var)
    if from_env:
        return from_env, "env"
    path = Path(data_dir) / file_name
    if path.exists():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored, "file"
    secret = new_secret()
    write_atomic(path, (secret + "\n").encode("ascii"), mode=0o600)
    return secret, "generated"
