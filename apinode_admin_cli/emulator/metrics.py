"""Request counters of the admin and user APIs, persisted (throttled) in metrics.json."""

from __future__ import annotations

import copy
import json
import threading
import time
from pathlib import Path
from typing import Any, Optional

from apinode_admin_cli.atomicfile import write_atomic
from apinode_admin_cli.emulator.datadir import expect, load_json
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.store import now_ms

METRICS_FILE = "metrics.json"
SAVE_INTERVAL_S = 1.0
router = Router()


@router.route("GET", "metrics")
def get_metrics(req: Request) -> Any:
    return req.app.metrics.snapshot()


class Metrics:
    """Counters for ``GET metrics``; the shape is in the emulator README."""

    def __init__(self, data_dir: Path) -> None:
        self._path = Path(data_dir) / METRICS_FILE
        self._lock = threading.Lock()
        self._last_save = 0.0
        self._dirty = False
        self._data = self._load()

    def _load(self) -> dict[str, Any]:
        fresh: dict[str, Any] = {
            "emulated": True,
            "since": now_ms(),
            "admin": {"requests": 0, "errors": 0, "byMethod": {}},
            "services": {},
        }
        if not self._path.exists():
            return fresh
        loaded = load_json(self._path, "metrics file")
        ok = isinstance(loaded, dict) and isinstance(loaded.get("services", {}), dict)
        expect(ok, self._path, "metrics file", "expected an object with 'services'")
        fresh.update(loaded)
        return fresh

    def count_admin(self, method: str, status: int) -> None:
        """Count one admin API request."""
        with self._lock:
            admin = self._data["admin"]
            admin["requests"] += 1
            admin["errors"] += int(status >= 400)
            by_method = admin.setdefault("byMethod", {})
            by_method[method] = by_method.get(method, 0) + 1
            self._dirty = True
        self.save()

    def count_prediction(
        self,
        service_id: str,
        endpoint_id: str,
        status: int,
        elapsed_ms: float,
        generation: Optional[str],
        records: int = 1,
    ) -> None:
        """Count one user API request (``records`` rows for predict-multi)."""
        with self._lock:
            service = self._data["services"].setdefault(
                service_id, {"requests": 0, "errors": 0, "endpoints": {}}
            )
            endpoint = service["endpoints"].setdefault(
                endpoint_id,
                {
                    "requests": 0,
                    "errors": 0,
                    "records": 0,
                    "latencyMs": {"mean": 0.0, "max": 0.0, "total": 0.0},
                    "generations": {},
                },
            )
            failed = status >= 400
            for counters in (service, endpoint):
                counters["requests"] += 1
                counters["errors"] += int(failed)
            if not failed:
                endpoint["records"] += records
            latency = endpoint["latencyMs"]
            latency["total"] = round(latency["total"] + elapsed_ms, 3)
            latency["max"] = round(max(latency["max"], elapsed_ms), 3)
            latency["mean"] = round(latency["total"] / endpoint["requests"], 3)
            if generation is not None:
                gens = endpoint["generations"]
                gens[generation] = gens.get(generation, 0) + 1
            self._dirty = True
        self.save()

    def snapshot(self) -> dict[str, Any]:
        """A copy of the counters for ``GET metrics``."""
        with self._lock:
            return copy.deepcopy(self._data)

    def save(self, force: bool = False) -> None:
        """Write the counters if they changed and the last write is old enough (or forced)."""
        with self._lock:
            if not self._dirty:
                return
            if not force and time.monotonic() - self._last_save < SAVE_INTERVAL_S:
                return
            data = json.dumps(self._data, sort_keys=True).encode("utf-8")
            self._dirty = False
            self._last_save = time.monotonic()
            write_atomic(self._path, data, mode=0o644)
