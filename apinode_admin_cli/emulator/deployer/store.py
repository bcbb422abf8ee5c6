"""Durable deployer state: one JSON file replaced atomically under a lock, plus version archives."""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import secrets
import threading
from pathlib import Path
from typing import Any, Iterator, Optional
from urllib.parse import quote

from apinode_admin_cli.atomicfile import write_atomic
from apinode_admin_cli.emulator.datadir import DataDirError, claim_data_dir, load_json
from apinode_admin_cli.emulator.keystore import now_ms as now_ms  # the deployer's modules use it
from apinode_admin_cli.emulator.keystore import resolve_key

STATE_FILE = "deployer-state.json"
API_KEY_FILE = "api-key"
VERSIONS_DIR = "versions"
INCOMING_DIR = "incoming"  # uploads in progress, which the state never refers to
K8S_DIR = "k8s"  # data dirs of the emulated Kubernetes replicas
SCHEMA_VERSION = 1
DEFAULT_STAGES = [
    {"id": "Development", "desc": "Development"},
    {"id": "Test", "desc": "Test"},
    {"id": "Production", "desc": "Production"},
]


def sealed(secret: str) -> str:
    """What a GET shows for a node's admin key: DSS returns keys encrypted, never as given."""
    digest = hashlib.sha256(("apinode-deployer-emulator:" + secret).encode("utf-8")).hexdigest()
    return "ENCRYPTED:" + digest[:24]


def safe_name(identifier: str) -> str:
    """A file-system-safe spelling of an id."""
    return quote(identifier, safe="") or "_"


def empty_state() -> dict[str, Any]:
    """The state of a brand new data dir."""
    return {
        "schemaVersion": SCHEMA_VERSION,
        "stages": copy.deepcopy(DEFAULT_STAGES),
        "services": {},
        "infras": {},
        "deployments": {},
    }


class DeployerStore:
    """The deployer's state, in memory and mirrored on disk after every change."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        # Two deployers writing one state file would lose each other's changes.
        folders = (VERSIONS_DIR, INCOMING_DIR, K8S_DIR)
        with claim_data_dir(self.data_dir, folders) as self._data_lock:
            self.lock = threading.RLock()
            self._path = self.data_dir / STATE_FILE
            self._state = self._load()
            self._clean_temp_files()

    def close(self) -> None:
        """Release the data dir for another deployer."""
        self._data_lock.release()

    def _load(self) -> dict[str, Any]:
        if not self._path.exists():
            return empty_state()
        state = load_json(self._path, "deployer state file")
        expected = ("services", "infras", "deployments")
        if not isinstance(state, dict) or not all(
            isinstance(state.get(k, {}), dict) for k in expected
        ):
            raise DataDirError(
                f"corrupt deployer state file {self._path}: not the deployer's state; restore "
                "it from a backup or remove it (what it held is then lost)"
            )
        base = empty_state()
        base.update(state)
        return base

    def _clean_temp_files(self) -> None:
        # Leftovers of writes cut by a kill; the state file never points at them.
        for leftover in [*self.data_dir.glob(".*.tmp"), *(self.data_dir / INCOMING_DIR).iterdir()]:
            with contextlib.suppress(OSError):
                leftover.unlink()

    def read(self) -> dict[str, Any]:
        """A deep copy of the current state."""
        with self.lock:
            return copy.deepcopy(self._state)

    def read_part(self, kind: str, identifier: str) -> Optional[dict[str, Any]]:
        """A deep copy of one service, infra or deployment record, or None."""
        with self.lock:
            record = self._state[kind].get(identifier)
            return copy.deepcopy(record) if record is not None else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """Yield a draft of the state; on normal exit it is saved and becomes the state."""
        with self.lock:
            draft = copy.deepcopy(self._state)
            yield draft
            data = json.dumps(draft, indent=1, sort_keys=True).encode("utf-8")
            # 0600: the state holds the admin keys of the infrastructures' nodes.
            write_atomic(self._path, data, mode=0o600)
            self._state = draft

    def version_path(self, service_id: str, version_id: str) -> Path:
        """Where a version's archive lives; named ``{version}.zip`` for the nodes' import."""
        return self.data_dir / VERSIONS_DIR / safe_name(service_id) / f"{safe_name(version_id)}.zip"

    def incoming_path(self) -> Path:
        """A fresh temp path for an upload, on the same file system as the versions."""
        return self.data_dir / INCOMING_DIR / f"{secrets.token_hex(8)}.zip"

    def k8s_dir(self, deployment_id: str) -> Path:
        """The folder of one deployment's emulated replicas."""
        return self.data_dir / K8S_DIR / safe_name(deployment_id)


def resolve_api_key(data_dir: Path, given: Optional[str]) -> tuple[str, str]:
    """The API key: given, else from the environment, else read or generated in data_dir.

    Returns ``(key, source)``, source being ``given``, ``env``, ``file`` or ``generated``.
    """
    return resolve_key(data_dir, given, "APINODE_EMULATOR_DEPLOYER_API_KEY", API_KEY_FILE)
