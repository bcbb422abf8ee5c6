"""Emulated, deterministic answers of each endpoint type: equal inputs always get equal answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from typing import Any, Optional

from apinode_admin_cli.emulator.errors import bad_request

_CHUNK = 0xFFFFFFFF


def unit(*parts: Any) -> float:
    """A stable number in [0, 1] drawn from the canonical JSON of ``parts``."""
    # One part is hashed alone: a record's prediction keeps the value earlier versions gave.
    text = json.dumps(parts[0] if len(parts) == 1 else parts, sort_keys=True, default=str)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big") / _CHUNK


def _record(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise bad_request(f"Invalid record: '{what}' must be a JSON object")
    return value


def _ignored(reason: str, generation: str) -> dict[str, Any]:
    return {"ignored": True, "ignoreReason": reason, "generation": generation, "emulated": True}


def explanation_request(body: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The ``explanations`` object when explanations are asked for, checked; else None."""
    asked = body.get("explanations")
    if asked is None:
        return None
    if not isinstance(asked, dict):
        raise bad_request("Invalid 'explanations': expected an object")
    method = asked.get("method")
    if method not in (None, "SHAPLEY", "ICE"):
        raise bad_request(f"Invalid explanations method {method!r}: use SHAPLEY or ICE")
    for field, low, high in (("nExplanations", 0, 1000), ("nMonteCarloSteps", 25, 1000)):
        value = asked.get(field)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            raise bad_request(f"Invalid explanations {field} {value!r}: from {low} to {high}")
    return asked if asked.get("enabled") is True else None


def _explanations(features: dict[str, Any], asked: dict[str, Any]) -> dict[str, float]:
    count = asked.get("nExplanations")
    count = 3 if count is None else count
    method = asked.get("method") or "ICE"
    scores = {name: round(unit("explain", method, name, features) * 2 - 1, 4) for name in features}
    strongest = sorted(scores, key=lambda name: (-abs(scores[name]), name))[:count]
    return {name: scores[name] for name in strongest}


def _probas(classes: list[str], features: dict[str, Any]) -> dict[str, float]:
    if len(classes) == 2:
        # Two classes keep the emulator's original binary placeholder exactly.
        p1 = round(unit(features), 4)
        return {classes[0]: round(1 - p1, 4), classes[1]: p1}
    weights = [unit(features, "class", name) + 0.01 for name in classes]
    total = sum(weights)
    return {name: round(w / total, 4) for name, w in zip(classes, weights)}


def predict(
    spec: dict[str, Any], features: Any, generation: str, asked: Optional[dict[str, Any]]
) -> dict[str, Any]:
    """A prediction or clustering result for one record."""
    features = _record(features, "features")
    missing = [f for f in spec.get("features") or [] if features.get(f) is None]
    if missing:
        return _ignored("IGNORED_BY_MODEL", generation)
    result: dict[str, Any]
    if spec["type"] == "STD_CLUSTERING":
        clusters = spec["clusters"]
        result = {
            "prediction": clusters[min(int(unit(features) * len(clusters)), len(clusters) - 1)]
        }
    elif spec.get("regression"):
        result = {"prediction": round(unit(features) * 100, 4)}
    else:
        probas = _probas(spec["classes"], features)
        best = max(spec["classes"], key=lambda name: probas[name])
        # The percentile of the positive class among binary scores, else of the chosen class.
        share = probas[spec["classes"][-1]] if len(probas) == 2 else probas[best]
        result = {
            "prediction": best,
            "probas": probas,
            "probaPercentile": max(1, min(100, math.ceil(share * 100))),
        }
    if asked is not None:
        result["explanations"] = _explanations(features, asked)
    result.update(ignored=False, generation=generation, emulated=True)
    return result


def predict_effect(spec: dict[str, Any], features: Any, generation: str) -> dict[str, Any]:
    """A causal endpoint's predicted treatment effect for one record."""
    features = _record(features, "features")
    missing = [f for f in spec.get("features") or [] if features.get(f) is None]
    if missing:
        return _ignored("IGNORED_BY_MODEL", generation)
    result: dict[str, Any] = {"predictedEffect": round(unit("effect", features) * 2 - 1, 4)}
    if spec.get("computePropensity"):
        result["propensity"] = round(unit("propensity", features), 4)
    result.update(ignored=False, generation=generation, emulated=True)
    return result


def _parse_time(value: Any, where: str) -> dt.datetime:
    if not isinstance(value, str):
        raise bad_request(f"Invalid {where}: expected an ISO-8601 date string")
    text = value.strip()
    text = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    if "." in text:
        # Python 3.9 reads 3 or 6 fraction digits only: pad or cut to microseconds.
        head, _, tail = text.partition(".")
        count = len(tail) - len(tail.lstrip("0123456789"))  # the fraction's digits only
        text = f"{head}.{(tail[:count] + '000000')[:6]}{tail[count:]}"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise bad_request(f"Invalid {where} {value!r}: expected an ISO-8601 date")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _series(spec: dict[str, Any], items: list[Any]) -> dict[str, list[tuple[dt.datetime, Any]]]:
    time_var, idents = spec["timeVariable"], spec["identifiers"]
    series: dict[str, list[tuple[dt.datetime, Any]]] = {}
    for index, item in enumerate(items):
        row = _record(item, f"items[{index}]")
        if row.get(time_var) is None:
            raise bad_request(f"Missing parameter: items[{index}] has no '{time_var}'")
        missing = [name for name in idents if name not in row]
        if missing:
            raise bad_request(f"Missing parameter: items[{index}] has no '{missing[0]}'")
        key = json.dumps({name: row[name] for name in idents}, sort_keys=True, default=str)
        moment = _parse_time(row[time_var], f"items[{index}].{time_var}")
        series.setdefault(key, []).append((moment, row.get(spec["target"])))
    return series


def forecast(spec: dict[str, Any], items: Any, generation: str) -> list[dict[str, Any]]:
    """Forecast points: ``horizon`` steps after each series' last date, with its quantiles."""
    if not isinstance(items, list) or not items:
        raise bad_request("Missing parameter: 'items' must be a non-empty list of past records")
    points = []
    for key, rows in _series(spec, items).items():
        rows.sort(key=lambda pair: pair[0])
        dates = sorted({moment for moment, _ in rows})
        step = dates[-1] - dates[-2] if len(dates) > 1 else dt.timedelta(days=1)
        known = [v for _, v in rows if isinstance(v, (int, float)) and not isinstance(v, bool)]
        base = sum(known[-3:]) / len(known[-3:]) if known else 0.0
        spread = max(1.0, abs(base) * 0.2)
        for h in range(1, spec["horizon"] + 1):
            value = round(base + (unit(key, h, generation) - 0.5) * spread, 4)
            moment = (dates[-1] + step * h).astimezone(dt.timezone.utc)
            points.append(
                {
                    "forecast": value,
                    "ignored": False,
                    "quantiles": spec["quantiles"],
                    "quantilesValues": [
                        round(value + (q - 0.5) * 2 * spread, 4) for q in spec["quantiles"]
                    ],
                    "time": moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    "timeseriesIdentifier": json.loads(key),
                }
            )
    return points


def _missing_params(spec: dict[str, Any], given: dict[str, Any], what: str) -> None:
    missing = [name for name in spec.get("params") or [] if name not in given]
    if missing:
        raise bad_request(f"Missing parameter {missing[0]!r} for {what} {spec['id']!r}")


def run_function(spec: dict[str, Any], kwargs: dict[str, Any]) -> Any:
    """A function's return value: the declared ``response``, else an echo of its arguments."""
    _missing_params(spec, kwargs, "function endpoint")
    if "response" in spec:
        return spec["response"]
    return {"endpoint": spec["id"], "arguments": kwargs, "emulated": True}


def _same(a: Any, b: Any) -> bool:
    # Query strings and CSV files carry numbers as text: 7 and "7" match a key of 7.
    return a == b or (a is not None and b is not None and str(a) == str(b))


def _matching(table: dict[str, Any], wanted: dict[str, Any]) -> list[list[Any]]:
    columns = table["columns"]
    filters = [(columns.index(name), value) for name, value in wanted.items() if name in columns]
    return [row for row in table["rows"] if all(_same(row[i], v) for i, v in filters)]


def sql_query(spec: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The rows whose columns equal the parameters named after them, as strings."""
    _missing_params(spec, params, "SQL query endpoint")
    rows = _matching(spec["table"], params)
    if spec.get("updates"):
        return {"updatedRows": len(rows)}
    return {
        "columns": list(spec["table"]["columns"]),
        "rows": [[None if v is None else _text(v) for v in row] for row in rows],
    }


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def lookup(spec: dict[str, Any], data: Any) -> dict[str, Any]:
    """The first row matching the keys: its other columns under ``data``, typed as stored."""
    data = _record(data, "data")
    if any(data.get(key) is None for key in spec["keys"]):
        return {"data": None, "ignored": True, "ignoreReason": "MISSING_LOOKUP_KEY"}
    rows = _matching(spec["table"], {key: data[key] for key in spec["keys"]})
    if not rows:
        return {"data": None, "ignored": True, "ignoreReason": "NOT_FOUND"}
    columns = spec["table"]["columns"]
    found = {c: v for c, v in zip(columns, rows[0]) if c not in spec["keys"]}
    return {"data": found, "ignored": False}
