"""The user API: predict and predict-multi with generation dispatch and placeholder results."""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
import time
from typing import Any, Optional

from apinode_admin_cli.emulator.admin_services import get_generation, service_not_found
from apinode_admin_cli.emulator.errors import ApiError, bad_request
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.validation import validate_id

router = Router()
_random = random.SystemRandom()


def unit_point(value: Any) -> float:
    """A stable point in [0, 1) for a dispatch key: the same key always lands on the same point."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def pick_from_mapping(mapping: Any, point: float) -> Optional[str]:
    """The generation whose slice of the cumulative proba line holds ``point``."""
    entries = [
        e
        for e in (mapping or {}).get("entries") or []
        if isinstance(e, dict) and isinstance(e.get("proba"), (int, float)) and e["proba"] > 0
    ]
    if not entries:
        return None
    total = sum(e["proba"] for e in entries)
    cumulative = 0.0
    for entry in entries:
        cumulative += entry["proba"] / total
        if point < cumulative:
            return str(entry["generation"])
    return str(entries[-1]["generation"])  # rounding left the point past the last slice


def choose_generation(service: dict[str, Any], sid: str, dispatch: Any) -> str:
    """forcedGeneration wins, then a sticky dispatchKey, else a weighted random draw."""
    if dispatch is not None and not isinstance(dispatch, dict):
        raise bad_request("Invalid 'dispatch': expected an object")
    dispatch = dispatch or {}
    forced = dispatch.get("forcedGeneration")
    if forced is not None:
        get_generation(service, sid, forced)
        return str(forced)
    if "dispatchKey" in dispatch and dispatch["dispatchKey"] is not None:
        point = unit_point(dispatch["dispatchKey"])
    else:
        point = _random.random()
    chosen = pick_from_mapping(service["mapping"], point)
    if chosen is None:
        raise ApiError(
            503,
            f"Service {sid!r} has no active generation: generations are not active after "
            "import; switch to one or set a mapping",
        )
    return chosen


def check_endpoint(service: dict[str, Any], sid: str, generation: str, endpoint: str) -> None:
    """A 404 unless the generation's package declares ``endpoint`` (or declares none)."""
    declared = service["generations"][generation].get("endpoints") or []
    if declared and endpoint not in declared:
        raise ApiError(
            404,
            f"Endpoint {endpoint!r} not found in service {sid!r} (generation {generation!r} "
            f"has: {', '.join(declared)})",
        )


class ErrorRates:
    """Decides which predictions fail for packages whose manifest sets an ``errorRate``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._served: dict[tuple[str, str], int] = {}

    def fails(self, sid: str, generation: str, rate: float, dispatch_key: Any) -> bool:
        """Whether this prediction fails: by its dispatch key, else by its rank."""
        if rate <= 0:
            return False
        if dispatch_key is not None:
            # Salted, so that the point is independent of the one that chose the generation.
            return unit_point(["errorRate", dispatch_key]) < rate
        with self._lock:
            rank = self._served.get((sid, generation), 0) + 1
            self._served[(sid, generation)] = rank
        # Exactly floor(n * rate) of the generation's first n predictions fail.
        return math.floor(rank * rate) > math.floor((rank - 1) * rate)


def placeholder(features: Any, generation: str) -> dict[str, Any]:
    """An emulated, deterministic binary-classification result for ``features``."""
    if not isinstance(features, dict):
        raise bad_request("Invalid record: 'features' must be a JSON object")
    text = json.dumps(features, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    p1 = round(int.from_bytes(digest[:4], "big") / 0xFFFFFFFF, 4)
    return {
        "prediction": "1" if p1 >= 0.5 else "0",
        "probas": {"0": round(1 - p1, 4), "1": p1},
        "ignored": False,
        "generation": generation,
        "emulated": True,
    }


def _serve(req: Request, sid: str, endpoint: str, multi: bool) -> Any:
    started = time.monotonic()
    service: Optional[dict[str, Any]] = None  # counted in the metrics once known to exist
    generation: Optional[str] = None
    status, records = 200, 0
    try:
        service = req.app.store.read_service(validate_id(sid))
        if service is None:
            raise service_not_found(sid)
        body = req.json()
        if not isinstance(body, dict):
            raise bad_request("Invalid body: expected a JSON object")
        if not service["enabled"]:
            raise ApiError(503, f"Service {sid!r} is disabled: enable it to answer queries")
        dispatch = body.get("dispatch")
        generation = choose_generation(service, sid, dispatch)
        check_endpoint(service, sid, generation, endpoint)
        if multi:
            items = body.get("items")
            if not isinstance(items, list):
                raise bad_request("Invalid body: 'items' must be a list of {\"features\": {...}}")
            results = [
                placeholder(i.get("features") if isinstance(i, dict) else None, generation)
                for i in items
            ]
            records = len(results)
            answer: dict[str, Any] = {"results": results}
        else:
            answer = {"result": placeholder(body.get("features"), generation)}
            records = 1
        if not service["generations"][generation]["mounted"]:
            with req.app.store.transaction() as draft:
                if generation in draft["services"].get(sid, {}).get("generations", {}):
                    draft["services"][sid]["generations"][generation]["mounted"] = True
        rate = service["generations"][generation].get("errorRate") or 0
        if req.app.error_rates.fails(sid, generation, rate, (dispatch or {}).get("dispatchKey")):
            raise ApiError(
                500,
                f"Emulated failure of generation {generation!r} of service {sid!r} "
                f"(its package sets errorRate {rate:g})",
            )
        answer["generation"] = generation
        answer["apiContext"] = {
            "serviceId": sid,
            "endpointId": endpoint,
            "serviceGeneration": generation,
            "emulated": True,
        }
        return answer
    except ApiError as exc:
        status = exc.status
        raise
    except Exception:
        status = 500
        raise
    finally:
        if service is not None:
            elapsed = (time.monotonic() - started) * 1000
            req.app.metrics.count_prediction(sid, endpoint, status, elapsed, generation, records)


@router.route("POST", "public/api/v1/{sid}/{endpoint}/predict")
def predict(req: Request, sid: str, endpoint: str) -> Any:
    return _serve(req, sid, endpoint, multi=False)


@router.route("POST", "public/api/v1/{sid}/{endpoint}/predict-multi")
def predict_multi(req: Request, sid: str, endpoint: str) -> Any:
    return _serve(req, sid, endpoint, multi=True)
