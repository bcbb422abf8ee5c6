"""Output rows of a batch: the input fields, then what the node answered, then the status."""

from __future__ import annotations

import csv
from itertools import chain, islice
from typing import IO, Any, Iterable, Iterator, Optional

from apinode_admin_cli import jsonutil
from apinode_admin_cli.scoring.scorer import Scored

STATUS_COLUMNS = ("status", "reason")
MAX_LOOK_AHEAD = 10_000


def served_generation(scored: Scored) -> Optional[str]:
    """The generation that answered the row: its own, else its chunk's."""
    result = scored.result or {}
    generation = result.get("generation")
    if generation is None and isinstance(scored.answer, dict):
        context = scored.answer.get("apiContext")
        if isinstance(context, dict):
            generation = context.get("serviceGeneration")
        generation = generation or scored.answer.get("generation")
    return generation if isinstance(generation, str) else None


def flatten(scored: Scored, kind: str) -> dict[str, Any]:
    """One output row: input fields, then the result's fields (kind: predict, effect, lookup).

    The row's own fields dict becomes the output row: the row is not used once scored.
    """
    out = scored.row.fields
    result = scored.result or {}
    if kind == "lookup":
        data = result.get("data")
        out.update(data if isinstance(data, dict) else {})
    else:
        out["generation"] = served_generation(scored)
        if kind == "effect":
            out["predictedEffect"] = result.get("predictedEffect")
            if "propensity" in result:
                out["propensity"] = result["propensity"]
        else:
            out["prediction"] = result.get("prediction")
            probas = result.get("probas")
            for cls, proba in (probas if isinstance(probas, dict) else {}).items():
                out[f"proba_{cls}"] = proba
    if scored.error is None:
        out["status"], out["reason"] = "ok", None
    else:
        ignored = result.get("ignored") is True
        out["status"], out["reason"] = ("ignored" if ignored else "failed"), scored.error
    return out


def with_header(rows: Iterable[dict[str, Any]], look_ahead: int) -> tuple[list[str], Iterator[Any]]:
    """The columns seen in the first rows (status last), and all the rows.

    The columns come from the first ``look_ahead`` rows, or more until one of them was
    answered (at most ``MAX_LOOK_AHEAD``). Columns first seen later are left out of a CSV.
    """
    source = iter(rows)
    first = list(islice(source, look_ahead))
    # Failed rows carry no result columns: read on (boundedly) until one row was answered.
    while first and len(first) < MAX_LOOK_AHEAD and all(r["status"] != "ok" for r in first):
        more = list(islice(source, look_ahead))
        if not more:
            break
        first += more
    columns: list[str] = []
    for row in first:
        columns += [name for name in row if name not in columns and name not in STATUS_COLUMNS]
    return columns + list(STATUS_COLUMNS), chain(first, source)


# Cells the csv module writes as wanted (None: empty); anything else goes out as JSON.
_PLAIN = frozenset({str, int, float, type(None)})


def _cell(value: Any) -> Any:
    return value if type(value) in _PLAIN else jsonutil.dumps(value)


def write_csv(stream: IO[str], columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
    """CSV with a header row; missing cells empty, booleans and nested values as JSON."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = [row.get(name) for name in columns]
        if not set(map(type, values)) <= _PLAIN:
            values = [_cell(v) for v in values]
        writer.writerow(values)


def write_jsonl(stream: IO[str], rows: Iterable[dict[str, Any]]) -> None:
    """One JSON object per line, each with every field of its row."""
    for row in rows:
        stream.write(jsonutil.dumps(row) + "\n")
