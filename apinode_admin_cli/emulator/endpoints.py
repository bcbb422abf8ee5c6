"""Endpoint declarations of a package's manifest.json: each endpoint's type and what it needs."""

from __future__ import annotations

import math
from typing import Any, Optional

from apinode_admin_cli.emulator.errors import ApiError, bad_request
from apinode_admin_cli.emulator.validation import validate_id

PREDICTION_TYPES = ("STD_PREDICTION", "CUSTOM_PREDICTION")
TYPES = (
    *PREDICTION_TYPES,
    "STD_CLUSTERING",
    "STD_FORECAST",
    "STD_CAUSAL_PREDICTION",
    "PY_FUNCTION",
    "R_FUNCTION",
    "SQL_QUERY",
    "DATASETS_LOOKUP",
)
# The calls each type answers, as the official client's paths name them.
VERBS: dict[str, tuple[str, ...]] = {
    "STD_PREDICTION": ("predict", "predict-multi"),
    "CUSTOM_PREDICTION": ("predict", "predict-multi"),
    "STD_CLUSTERING": ("predict", "predict-multi"),
    "STD_FORECAST": ("forecast",),
    "STD_CAUSAL_PREDICTION": ("predict-effect", "predict-effect-multi"),
    "PY_FUNCTION": ("run",),
    "R_FUNCTION": ("run",),
    "SQL_QUERY": ("query",),
    "DATASETS_LOOKUP": ("lookup", "lookup-multi"),
}
DEFAULT_CLASSES = ["0", "1"]
DEFAULT_QUANTILES = [0.1, 0.5, 0.9]
MAX_HORIZON = 1000


def default_endpoint(endpoint_id: str) -> dict[str, Any]:
    """What a plain string in ``endpoints`` (or an undeclared endpoint) stands for."""
    return {"id": endpoint_id, "type": "STD_PREDICTION", "classes": list(DEFAULT_CLASSES)}


class _Reader:
    """Reads one endpoint object, naming the archive and endpoint in every refusal."""

    def __init__(self, raw: dict[str, Any], where: str) -> None:
        self.raw = raw
        self.where = where

    def fail(self, message: str) -> ApiError:
        return bad_request(f"{self.where}: {message}")

    def names(self, field: str, required: bool = False) -> Optional[list[str]]:
        value = self.raw.get(field)
        if value is None and not required:
            return None
        if (
            not isinstance(value, list)
            or not all(isinstance(v, str) and v for v in value)
            or len(set(value)) != len(value)
        ):
            raise self.fail(f"'{field}' must be a list of distinct non-empty strings")
        return list(value)

    def integer(self, field: str, default: int, low: int, high: int) -> int:
        value = self.raw.get(field, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(f"'{field}' must be an integer from {low} to {high}")
        return value

    def quantiles(self) -> list[float]:
        value = self.raw.get("quantiles", DEFAULT_QUANTILES)
        ok = (
            isinstance(value, list)
            and bool(value)
            and all(
                isinstance(q, (int, float)) and not isinstance(q, bool) and 0 < q < 1 for q in value
            )
        )
        if not ok or sorted(set(value)) != value:
            raise self.fail("'quantiles' must be increasing numbers strictly between 0 and 1")
        return [float(q) for q in value]

    def table(self) -> dict[str, Any]:
        table = self.raw.get("table")
        if not isinstance(table, dict):
            raise self.fail("needs a 'table' object with 'columns' and 'rows'")
        reader = _Reader(table, self.where + " table")
        columns = reader.names("columns", required=True) or []
        rows = table.get("rows", [])
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == len(columns) for r in rows
        ):
            raise self.fail(f"'table.rows' must be a list of rows of {len(columns)} values")
        for row in rows:
            for value in row:
                if isinstance(value, float) and not math.isfinite(value):
                    raise self.fail("'table.rows' values must be finite")
        return {"columns": columns, "rows": rows}


def _prediction(reader: _Reader, spec: dict[str, Any]) -> None:
    kind = reader.raw.get("predictionType")
    if kind not in (None, "BINARY_CLASSIFICATION", "MULTICLASS", "REGRESSION"):
        raise reader.fail(
            "'predictionType' must be BINARY_CLASSIFICATION, MULTICLASS or REGRESSION"
        )
    classes = reader.names("classes")
    if kind == "REGRESSION":
        if classes is not None:
            raise reader.fail("a REGRESSION endpoint has no 'classes'")
        spec["regression"] = True
        return
    classes = classes or list(DEFAULT_CLASSES)
    if len(classes) < 2:
        raise reader.fail("'classes' needs at least two classes")
    spec["classes"] = classes


def _details(reader: _Reader, spec: dict[str, Any]) -> None:
    kind = spec["type"]
    if kind in PREDICTION_TYPES:
        _prediction(reader, spec)
    elif kind == "STD_CLUSTERING":
        spec["clusters"] = reader.names("clusters") or ["cluster_0", "cluster_1", "cluster_2"]
    elif kind == "STD_FORECAST":
        spec["horizon"] = reader.integer("horizon", 1, 1, MAX_HORIZON)
        spec["quantiles"] = reader.quantiles()
        spec["timeVariable"] = reader.raw.get("timeVariable") or "date"
        spec["target"] = reader.raw.get("target") or "target"
        spec["identifiers"] = reader.names("timeseriesIdentifiers") or []
        if not isinstance(spec["timeVariable"], str) or not isinstance(spec["target"], str):
            raise reader.fail("'timeVariable' and 'target' must be strings")
    elif kind == "STD_CAUSAL_PREDICTION":
        spec["computePropensity"] = reader.raw.get("computePropensity") is True
    elif kind in ("PY_FUNCTION", "R_FUNCTION"):
        spec["params"] = reader.names("params") or []
        if "response" in reader.raw:
            spec["response"] = reader.raw["response"]
    elif kind == "SQL_QUERY":
        spec["table"] = reader.table()
        spec["params"] = reader.names("params") or []
        spec["updates"] = reader.raw.get("statement") in ("UPDATE", "INSERT", "DELETE")
    elif kind == "DATASETS_LOOKUP":
        spec["table"] = reader.table()
        keys = reader.names("keys", required=True) or []
        unknown = [k for k in keys if k not in spec["table"]["columns"]]
        if not keys or unknown:
            raise reader.fail("'keys' must name one or more columns of its 'table'")
        spec["keys"] = keys


def _declaration(raw: Any, where: str) -> dict[str, Any]:
    if isinstance(raw, str):
        return default_endpoint(validate_id(raw, "endpoint id"))
    if not isinstance(raw, dict):
        raise bad_request(f"{where}: an endpoint is an id or an object with 'id' and 'type'")
    endpoint_id = validate_id(raw.get("id"), "endpoint id")
    where = f"{where}, endpoint {endpoint_id!r}"
    kind = raw.get("type", "STD_PREDICTION")
    if kind not in TYPES:
        raise bad_request(f"{where}: unknown 'type' {kind!r}; known: {', '.join(TYPES)}")
    reader = _Reader(raw, where)
    spec: dict[str, Any] = {"id": endpoint_id, "type": kind}
    required = reader.names("features")
    if required is not None:
        spec["features"] = required
    _details(reader, spec)
    return spec


def parse_endpoints(manifest: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The manifest's endpoint declarations, checked; a 400 naming the archive if one is wrong."""
    raw = manifest.get("endpoints")
    if raw is None:
        return []
    where = f"Archive {path} has an invalid endpoint in manifest.json"
    if not isinstance(raw, list):
        raise bad_request(f"{where}: 'endpoints' must be a list")
    specs = [_declaration(item, where) for item in raw]
    ids = [s["id"] for s in specs]
    if len(set(ids)) != len(ids):
        raise bad_request(f"{where}: an endpoint id is declared twice")
    return specs


def endpoint_of(generation: dict[str, Any], endpoint_id: str) -> Optional[dict[str, Any]]:
    """The declaration serving ``endpoint_id`` in a generation; None when it has no such one."""
    specs = generation.get("endpointSpecs")
    if specs is None:
        # Generations imported before endpoint types existed kept only their ids.
        specs = [default_endpoint(e) for e in generation.get("endpoints") or []]
    if not specs:
        return default_endpoint(endpoint_id)  # a package that declares none serves any id
    return next((s for s in specs if s["id"] == endpoint_id), None)
