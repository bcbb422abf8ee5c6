"""Tables of the user-API answers: forecast points, effects, function results, SQL rows, lookups."""

from __future__ import annotations

from typing import Any

from apinode_admin_cli.cli.common.results import Rows


def _columns(names: list[tuple[str, str]]) -> list[Any]:
    from apinode_admin_cli.output.columns import named_columns

    return named_columns(names)


def _generation(answer: dict[str, Any], result: dict[str, Any]) -> Any:
    context = answer.get("apiContext")
    served = context.get("serviceGeneration") if isinstance(context, dict) else None
    return result.get("generation") or served or answer.get("generation")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v if isinstance(v, dict) else {} for v in (value if isinstance(value, list) else [])]


def forecast_rows(answer: Any) -> Rows:
    """One row per forecast point: SERIES, TIME, FORECAST, then one column per quantile."""
    answer = answer if isinstance(answer, dict) else {}
    points = _dicts(answer.get("results"))
    quantiles: list[Any] = []
    for point in points:
        for q in point.get("quantiles") or []:
            if q not in quantiles:
                quantiles.append(q)
    rows = []
    for point in points:
        ident = point.get("timeseriesIdentifier")
        series = ", ".join(f"{k}={v}" for k, v in ident.items()) if isinstance(ident, dict) else ""
        row = {"series": series, "time": point.get("time"), "forecast": point.get("forecast")}
        values = dict(zip(point.get("quantiles") or [], point.get("quantilesValues") or []))
        row.update({f"q{i}": values.get(q) for i, q in enumerate(quantiles)})
        rows.append(row)
    names = [("time", "TIME"), ("forecast", "FORECAST")]
    if any(row["series"] for row in rows):
        names.insert(0, ("series", "SERIES"))
    names += [(f"q{i}", f"Q{q}") for i, q in enumerate(quantiles)]
    return Rows(rows, _columns(names), raw=answer)


def effect_rows(answer: Any, multi: bool) -> Rows:
    """GENERATION, EFFECT, PROPENSITY (when the endpoint computes it), IGNORED."""
    answer = answer if isinstance(answer, dict) else {}
    results = _dicts(answer.get("results")) if multi else _dicts([answer.get("result")])
    rows = [
        {
            "index": i,
            "generation": _generation(answer, r),
            "effect": r.get("predictedEffect"),
            "propensity": r.get("propensity"),
            "ignored": r.get("ignoreReason") if r.get("ignored") else None,
        }
        for i, r in enumerate(results)
    ]
    names = [("generation", "GENERATION"), ("effect", "EFFECT")]
    if multi:
        names.insert(0, ("index", "#"))
    names += [(key, key.upper()) for key in ("propensity", "ignored") if any(r[key] for r in rows)]
    return Rows(rows, _columns(names), raw=answer)


def function_rows(answer: Any) -> Rows:
    """The function's response: an object's fields, a list of objects' rows, else one value."""
    answer = answer if isinstance(answer, dict) else {}
    response = answer.get("response")
    if isinstance(response, dict):
        records = [response]
    elif isinstance(response, list) and response and all(isinstance(r, dict) for r in response):
        records = response
    else:
        return Rows([{"response": response}], _columns([("response", "RESPONSE")]), raw=answer)
    keys: list[str] = []
    for record in records:
        keys += [k for k in record if k not in keys]
    rows = [{f"c{i}": r.get(k) for i, k in enumerate(keys)} for r in records]
    return Rows(rows, _columns([(f"c{i}", k) for i, k in enumerate(keys)]), raw=answer)


def sql_rows(answer: Any) -> Rows:
    """The query's rows under its column names, or the count a statement updated."""
    answer = answer if isinstance(answer, dict) else {}
    if "updatedRows" in answer and "rows" not in answer:
        rows = [{"updated": answer["updatedRows"]}]
        return Rows(rows, _columns([("updated", "UPDATED ROWS")]), raw=answer)
    names = [str(c) for c in answer.get("columns") or []]
    data = [r for r in answer.get("rows") or [] if isinstance(r, list)]
    rows = [{f"c{i}": v for i, v in enumerate(r)} for r in data]
    return Rows(rows, _columns([(f"c{i}", name) for i, name in enumerate(names)]), raw=answer)


def lookup_rows(results: list[Any], raw: Any) -> Rows:
    """The data of each lookup result; IGNORED with the reason for rows that found nothing."""
    found = _dicts(results)
    keys: list[str] = []
    for result in found:
        data = result.get("data")
        keys += [k for k in (data if isinstance(data, dict) else {}) if k not in keys]
    rows = []
    for result in found:
        data = result.get("data")
        data = data if isinstance(data, dict) else {}
        row = {f"c{i}": data.get(k) for i, k in enumerate(keys)}
        row["ignored"] = result.get("ignoreReason") if result.get("ignored") else None
        rows.append(row)
    names = [(f"c{i}", k) for i, k in enumerate(keys)]
    if any(row["ignored"] for row in rows) or not names:
        names.append(("ignored", "IGNORED"))
    return Rows(rows, _columns(names), raw=raw)
