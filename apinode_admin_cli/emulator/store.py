"""Durable emulator state: a file per service, the keys file, a small global file, archives.

Layout (a node's where it has one): ``services/<svc>/service.json`` with the service, its
mapping and its generations' records; ``services/<svc>/gens/<gen>/archive.zip``;
``config/adminkeys.json``; ``state.json`` for the code-env and model caches. Every change
rewrites one small file atomically (temp file, fsync, rename, directory fsync) before it is
answered, so a change costs the same whatever else the node holds.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import secrets
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator, Optional

from apinode_admin_cli.atomicfile import fsync_dir, write_atomic
from apinode_admin_cli.emulator.datadir import (
    claim_data_dir,
    entry_name,
    expect,
    load_json,
)
from apinode_admin_cli.emulator.keystore import KeyFile, ensure_bootstrap_key, new_secret, now_ms

__all__ = ["Store", "new_secret", "now_ms"]

STATE_FILE = "state.json"
SERVICES_DIR = "services"
SERVICE_FILE = "service.json"
GENS_DIR = "gens"
ARCHIVE_FILE = "archive.zip"
INCOMING_DIR = "incoming"  # copies in progress, which no record refers to
TRASH_DIR = "trash"  # services being deleted: renamed here, then removed
SCHEMA_VERSION = 2


def empty_state() -> dict[str, Any]:
    """The global part of the state of a brand new data dir."""
    return {"schemaVersion": SCHEMA_VERSION, "codeEnvs": [], "modelCache": []}


class Store:
    """The emulator's state, held in memory and mirrored on disk after every change."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        folders = (SERVICES_DIR, INCOMING_DIR, TRASH_DIR)
        with claim_data_dir(self.data_dir, folders) as self._data_lock:
            self.lock = threading.RLock()
            self._path = self.data_dir / STATE_FILE
            self.keys = KeyFile(self.data_dir)
            self._state = self._load_globals()
            self._services = self._load_services()
            self._clean_temp_files()

    def close(self) -> None:
        """Release the data dir for another emulator."""
        self._data_lock.release()

    # -- loading -------------------------------------------------------------------------

    def _load_globals(self) -> dict[str, Any]:
        if not self._path.exists():
            return empty_state()
        state = load_json(self._path, "state file")
        what = "state file"
        expect(isinstance(state, dict), self._path, what, "expected a JSON object")
        for name in ("codeEnvs", "modelCache"):
            ok = isinstance(state.get(name, []), list)
            expect(ok, self._path, what, f"'{name}' is not a list")
        base = empty_state()
        base.update(state)
        if "services" in base or "keys" in base:
            self._migrate(base)
        return base

    def _migrate(self, state: dict[str, Any]) -> None:
        """Move a one-file state (schema 1) to a file per service; rerun safely if cut short."""
        services = state.pop("services", None) or {}
        expect(isinstance(services, dict), self._path, "state file", "'services' is not an object")
        for sid, record in services.items():
            self._write_service(sid, record)
            for gen_id in record.get("generations") or {}:
                self.generation_dir(sid, gen_id).mkdir(parents=True, exist_ok=True)
        keys = state.pop("keys", None) or []
        if keys and not self.keys.path.exists():
            self.keys.update(lambda current: current.extend(keys))
        state.pop("importSeq", None)
        state["schemaVersion"] = SCHEMA_VERSION
        self._write_globals(state)

    def _load_services(self) -> dict[str, dict[str, Any]]:
        services: dict[str, dict[str, Any]] = {}
        for folder in sorted((self.data_dir / SERVICES_DIR).iterdir()):
            path = folder / SERVICE_FILE
            if not path.is_file():
                # A creation cut short before its record was written: nothing refers to it.
                shutil.rmtree(folder, ignore_errors=True)
                continue
            record = load_json(path, "service file")
            what = "service file"
            expect(isinstance(record, dict), path, what, "expected a JSON object")
            sid = record.pop("serviceId", None)
            expect(isinstance(sid, str), path, what, "no 'serviceId' string")
            expect(entry_name(sid) == folder.name, path, what, f"it names service {sid!r}")
            gens = record.get("generations")
            expect(isinstance(gens, dict), path, what, "'generations' is not an object")
            for gen_id, gen in gens.items():
                ok = isinstance(gen, dict) and isinstance(gen.get("archive"), str)
                expect(ok, path, what, f"generation {gen_id!r} has no 'archive' path")
            self._clean_orphan_generations(folder, set(map(entry_name, gens)))
            services[sid] = record
        return services

    def _clean_orphan_generations(self, folder: Path, known: set[str]) -> None:
        # An import cut short after its copy but before its record: a script that checks
        # for the folder must not believe the generation exists.
        gens = folder / GENS_DIR
        if gens.is_dir():
            for child in gens.iterdir():
                if child.name not in known:
                    shutil.rmtree(child, ignore_errors=True)

    def _clean_temp_files(self) -> None:
        # Leftovers of writes interrupted by a kill; no record points at them.
        for leftover in [*self.data_dir.glob(".*.tmp"), *self.incoming_dir().iterdir()]:
            with contextlib.suppress(OSError):
                leftover.unlink()
        for folder in (self.data_dir / TRASH_DIR).iterdir():
            shutil.rmtree(folder, ignore_errors=True)

    # -- reading -------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        """A deep copy of everything (services, keys, caches): for tests and rare global ops."""
        with self.lock:
            state = copy.deepcopy(self._state)
            state["services"] = copy.deepcopy(self._services)
        state["keys"] = self.keys.records()
        return state

    def read_service(self, service_id: str) -> Optional[dict[str, Any]]:
        """A deep copy of one service record, or None: the others are not copied."""
        with self.lock:
            service = self._services.get(service_id)
            return copy.deepcopy(service) if service is not None else None

    def list_services(self) -> list[tuple[str, bool]]:
        """``(service id, enabled)`` of every service, sorted by id."""
        with self.lock:
            return [(sid, bool(self._services[sid]["enabled"])) for sid in sorted(self._services)]

    def used_code_envs(self) -> set[str]:
        """The code env names some generation of some service uses."""
        with self.lock:
            return {
                name
                for service in self._services.values()
                for generation in service["generations"].values()
                for name in generation.get("codeEnvs", [])
            }

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """A draft of the global state (caches); on normal exit it is saved and kept."""
        with self.lock:
            draft = copy.deepcopy(self._state)
            yield draft
            self._write_globals(draft)
            self._state = draft

    @contextlib.contextmanager
    def service_transaction(self, service_id: str) -> Iterator[Optional[dict[str, Any]]]:
        """A draft of one service (None if unknown); on normal exit it is saved and kept."""
        with self.lock:
            current = self._services.get(service_id)
            draft = copy.deepcopy(current) if current is not None else None
            yield draft
            if draft is not None:
                self._write_service(service_id, draft)
                self._services[service_id] = draft

    def create_service(self, service_id: str, record: dict[str, Any]) -> bool:
        """Record a new service; False if it exists."""
        with self.lock:
            if service_id in self._services:
                return False
            self.service_dir(service_id).mkdir(exist_ok=True)
            self._write_service(service_id, record)
            self._services[service_id] = copy.deepcopy(record)
            return True

    def seed_services(self, records: dict[str, dict[str, Any]]) -> None:
        """Add many services at once, for tests and benchmarks of large nodes.

        One directory sync at the end instead of one per service: a crash while seeding may
        lose some of them, which a request's write never does.
        """
        with self.lock:
            for service_id, record in records.items():
                folder = self.service_dir(service_id)
                folder.mkdir(parents=True, exist_ok=True)
                data = json.dumps(dict(record, serviceId=service_id), indent=1, sort_keys=True)
                (folder / SERVICE_FILE).write_text(data, encoding="utf-8")
                self._services[service_id] = copy.deepcopy(record)
            fsync_dir(self.data_dir / SERVICES_DIR)

    def delete_service(self, service_id: str) -> Optional[dict[str, Any]]:
        """Forget a service and remove its folder; its record, or None if unknown."""
        with self.lock:
            record = self._services.get(service_id)
            if record is None:
                return None
            trash = self.data_dir / TRASH_DIR / secrets.token_hex(8)
            with contextlib.suppress(FileNotFoundError):  # already removed by hand
                os.replace(self.service_dir(service_id), trash)  # one atomic step on disk
                fsync_dir(self.data_dir / SERVICES_DIR)
            del self._services[service_id]
        shutil.rmtree(trash, ignore_errors=True)
        self._remove_outside_archives(record)
        return record

    def remove_generation_files(
        self, service_id: str, generation: dict[str, Any], gen: str
    ) -> None:
        """Delete the files of a generation its service no longer records."""
        shutil.rmtree(self.generation_dir(service_id, gen), ignore_errors=True)
        self._remove_outside_archives({"generations": {gen: generation}})

    def _remove_outside_archives(self, record: dict[str, Any]) -> None:
        # Archives of a data dir migrated from the one-file layout live under archives/.
        for generation in record.get("generations", {}).values():
            path = self.data_dir / generation["archive"]
            if SERVICES_DIR not in Path(generation["archive"]).parts[:1]:
                with contextlib.suppress(OSError):
                    path.unlink()

    def _write_service(self, service_id: str, record: dict[str, Any]) -> None:
        data = json.dumps(dict(record, serviceId=service_id), indent=1, sort_keys=True)
        folder = self.service_dir(service_id)
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / SERVICE_FILE, data.encode("utf-8"), mode=0o644)

    def _write_globals(self, state: dict[str, Any]) -> None:
        data = json.dumps(state, indent=1, sort_keys=True).encode("utf-8")
        write_atomic(self._path, data, mode=0o644)

    # -- keys ----------------------------------------------------------------------------

    def find_key(self, secret: str) -> Optional[dict[str, Any]]:
        """The stored key whose secret is ``secret``, or None."""
        return self.keys.find(secret)

    def ensure_bootstrap_key(self, secret: str, clear: bool) -> None:
        """Make ``secret`` the bootstrap admin key (in clear before 13.1), replacing any other."""
        ensure_bootstrap_key(self.keys, secret, clear)

    # -- files ---------------------------------------------------------------------------

    def service_dir(self, service_id: str) -> Path:
        """``services/<svc>``: the id itself, shortened only when too long for a file name."""
        return self.data_dir / SERVICES_DIR / entry_name(service_id)

    def generation_dir(self, service_id: str, generation: str) -> Path:
        """``services/<svc>/gens/<gen>``, where the generation's archive is kept."""
        return self.service_dir(service_id) / GENS_DIR / entry_name(generation)

    def incoming_dir(self) -> Path:
        """Where imports copy archives before a record refers to them (same file system)."""
        return self.data_dir / INCOMING_DIR
