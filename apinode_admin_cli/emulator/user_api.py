"""The user API: every endpoint type's calls, dispatched to a generation by its mapping."""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
import time
from typing import Any, Optional

import apinode_admin_cli.emulator.answers as answers
import apinode_admin_cli.emulator.swagger as swagger
from apinode_admin_cli.emulator.admin_services import get_generation, service_not_found
from apinode_admin_cli.emulator.endpoints import VERBS, endpoint_of
from apinode_admin_cli.emulator.errors import ApiError, bad_request
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.service_keys import check_service_key
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


# Only these calls carry a `dispatch` object: the others' bodies are the caller's own fields.
DISPATCHED = ("predict", "predict-multi", "forecast", "predict-effect", "predict-effect-multi")
MULTI_FIELD = {
    "predict-multi": "features",
    "predict-effect-multi": "features",
    "lookup-multi": "data",
}


def find_endpoint(service: dict[str, Any], sid: str, generation: str, endpoint: str) -> Any:
    """The serving generation's declaration of ``endpoint``, else a 404 naming the declared."""
    record = service["generations"][generation]
    spec = endpoint_of(record, endpoint)
    if spec is None:
        declared = [s["id"] for s in record.get("endpointSpecs") or []] or record["endpoints"]
        raise ApiError(
            404,
            f"Endpoint {endpoint!r} not found in service {sid!r} (generation {generation!r} "
            f"has: {', '.join(declared)})",
        )
    return spec


def _items(body: dict[str, Any], verb: str) -> list[Any]:
    items = body.get("items")
    field = MULTI_FIELD[verb]
    if not isinstance(items, list):
        raise bad_request(f"Missing parameter: 'items' must be a list of {{\"{field}\": {{...}}}}")
    return [i.get(field) if isinstance(i, dict) else None for i in items]


def _answer(spec: dict[str, Any], verb: str, body: dict[str, Any], gen: str) -> tuple[Any, int]:
    """The answer of ``verb`` and the number of records it served."""
    if verb in ("predict", "predict-multi"):
        asked = answers.explanation_request(body)
        if verb == "predict":
            return {"result": answers.predict(spec, body.get("features"), gen, asked)}, 1
        results = [answers.predict(spec, f, gen, asked) for f in _items(body, verb)]
        return {"results": results}, len(results)
    if verb == "predict-effect":
        return {"result": answers.predict_effect(spec, body.get("features"), gen)}, 1
    if verb == "predict-effect-multi":
        results = [answers.predict_effect(spec, f, gen) for f in _items(body, verb)]
        return {"results": results}, len(results)
    if verb == "forecast":
        results = answers.forecast(spec, body.get("items"), gen)
        return {"results": results}, len(results)
    if verb == "run":
        return {"response": answers.run_function(spec, body)}, 1
    if verb == "query":
        return answers.sql_query(spec, body), 1
    data = [body.get("data")] if verb == "lookup" else _items(body, verb)
    results = [answers.lookup(spec, d) for d in data]
    return {"results": results}, len(results)


def _timing(verb: str, records: int) -> dict[str, int]:
    # Emulated microseconds (the unit the only real answer seen suggests), derived from the
    # work done rather than measured, so that equal queries get equal answers.
    elapsed_us = 100 + 50 * records
    if verb in ("run", "query", "lookup", "lookup-multi"):
        return {"preProcessing": 0, "wait": 0, "execution": elapsed_us, "postProcessing": 0}
    return {
        "preProcessing": 0,
        "wait": 0,
        "enrich": 0,
        "preparation": 0,
        "prediction": elapsed_us,
        "postProcessing": 0,
    }


def _serve(req: Request, sid: str, endpoint: str, verb: str) -> Any:
    started = time.monotonic()
    service: Optional[dict[str, Any]] = None  # counted in the metrics once known to exist
    generation: Optional[str] = None
    status, records = 200, 0
    try:
        service = req.app.store.read_service(validate_id(sid))
        if service is None:
            raise service_not_found(sid)
        check_service_key(service, sid, req.headers)
        body = req.json(required=False)
        body = {} if body is None else body  # the official client sends no body for no fields
        if not isinstance(body, dict):
            raise bad_request("Invalid body: expected a JSON object")
        if not service["enabled"]:
            raise ApiError(503, f"Service {sid!r} is disabled: enable it to answer queries")
        dispatch = body.get("dispatch") if verb in DISPATCHED else None
        generation = choose_generation(service, sid, dispatch)
        try:
            spec = find_endpoint(service, sid, generation, endpoint)
        except ApiError:
            service = None  # no counters for an endpoint that does not exist: bounded memory
            raise
        if verb not in VERBS[spec["type"]]:
            raise bad_request(
                f"Endpoint {endpoint!r} of service {sid!r} is a {spec['type']} endpoint: "
                f"call {' or '.join(VERBS[spec['type']])}, not {verb}"
            )
        answer, records = _answer(spec, verb, body, generation)
        if not service["generations"][generation]["mounted"]:
            with req.app.store.service_transaction(sid) as draft:
                if draft is not None and generation in draft["generations"]:
                    draft["generations"][generation]["mounted"] = True
        rate = service["generations"][generation].get("errorRate") or 0
        if req.app.error_rates.fails(sid, generation, rate, (dispatch or {}).get("dispatchKey")):
            raise ApiError(
                500,
                f"Emulated failure of generation {generation!r} of service {sid!r} "
                f"(its package sets errorRate {rate:g})",
            )
        answer["timing"] = _timing(verb, records)
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


def _route(verb: str) -> None:
    def handler(req: Request, sid: str, endpoint: str) -> Any:
        return _serve(req, sid, endpoint, verb)

    router.add("POST", f"public/api/v1/{{sid}}/{{endpoint}}/{verb}", handler)


for _verb in sorted({v for verbs in VERBS.values() for v in verbs}):
    _route(_verb)


@router.route("GET", "public/api/v1/{sid}/swagger")
def openapi(req: Request, sid: str) -> Any:
    service = req.app.store.read_service(validate_id(sid))
    if service is None:
        raise service_not_found(sid)
    check_service_key(service, sid, req.headers)
    return swagger.document(service, sid)
