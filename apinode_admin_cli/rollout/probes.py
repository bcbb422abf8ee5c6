"""Probe files (the queries a rollout sends after each step) and running them on a node.

A probe is a prediction by default: a line of features, or ``{"features": ..., "context": ...}``.
Any endpoint type is probed with ``{"call": CALL, "input": ...}``: ``predict`` and
``predict-effect`` take features, ``forecast`` a list of past rows, ``run`` the function's
arguments, ``query`` the SQL parameters, ``lookup`` the lookup keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

from apinode_admin_cli import jsonutil
from apinode_admin_cli.errors import ApinodeAdminError, AuthenticationError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeClient

# Each probe is one prediction per node per step: a probe file is a handful of records.
MAX_PROBES = 1000
MAX_PROBE_BYTES = 1024 * 1024
# Failure messages kept per step, for the report: the first few say enough.
KEPT_ERRORS = 3
CALLS = ("predict", "predict-effect", "forecast", "run", "query", "lookup")


class ProbeOutcome:
    """How the probes of one step went on one node (or on all of them, once added up)."""

    __slots__ = ("errors", "failed", "ok")

    def __init__(self, ok: int = 0, failed: int = 0, errors: Optional[list[str]] = None) -> None:
        self.ok = ok
        self.failed = failed
        self.errors = errors or []

    def add(self, other: ProbeOutcome) -> None:
        self.ok += other.ok
        self.failed += other.failed
        self.errors += other.errors[: max(0, KEPT_ERRORS - len(self.errors))]

    def text(self) -> str:
        """``3/3 ok``: the PROBES cell."""
        return f"{self.ok}/{self.ok + self.failed} ok"

    def to_json(self) -> dict[str, int]:
        return {"ok": self.ok, "failed": self.failed}


def parse_probes(text: str, source: str = "the probe file") -> tuple[dict[str, Any], ...]:
    """Records from JSON lines of feature objects, or from a JSON array of them.

    A line (or item) is a feature object, or a record already in the user API's shape
    (``{"features": {...}, "context": {...}}``). Strict JSON: no NaN, no Infinity.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PROBE_BYTES:
        raise UsageError(f"{source} is larger than {MAX_PROBE_BYTES // 1024} KiB; refusing it")
    stripped = text.strip()
    if not stripped:
        raise UsageError(f"{source} is empty", hint="one JSON object of features per line")
    items: list[Any]
    if stripped.startswith("["):
        try:
            whole = jsonutil.loads(stripped)
        except ValueError as exc:
            raise UsageError(f"{source} is not a valid JSON array: {exc}") from None
        items = [(f"item {i} of {source}", item) for i, item in enumerate(whole, 1)]
    else:
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            where = f"line {number} of {source}"
            try:
                items.append((where, jsonutil.loads(line)))
            except ValueError as exc:
                raise UsageError(f"{where} is not valid JSON: {exc}") from None
    if not items:
        raise UsageError(f"{source} holds no probe", hint="one JSON object of features per line")
    if len(items) > MAX_PROBES:
        raise UsageError(f"{source} holds {len(items)} probes; at most {MAX_PROBES} are allowed")
    return tuple(_record(value, where) for where, value in items)


def _record(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise UsageError(f"{where} is not a JSON object of features")
    if "call" in item and "input" in item and set(item) <= {"call", "input", "context"}:
        return _call_record(item, where)
    if isinstance(item.get("features"), dict) and set(item) <= {"features", "context"}:
        if "context" in item and not isinstance(item["context"], dict):
            raise UsageError(f"{where}: 'context' must be a JSON object")
        return dict(item)
    return {"features": item}


def _call_record(item: dict[str, Any], where: str) -> dict[str, Any]:
    call, given = item["call"], item["input"]
    if call not in CALLS:
        raise UsageError(f"{where}: unknown call {call!r}; use one of {', '.join(CALLS)}")
    expected = list if call == "forecast" else dict
    if not isinstance(given, expected):
        kind = "a list of rows" if expected is list else "an object"
        raise UsageError(f"{where}: the input of {call} must be {kind}")
    if "context" in item and not isinstance(item["context"], dict):
        raise UsageError(f"{where}: 'context' must be a JSON object")
    if call == "predict":
        shaped = {"features": given}
        if "context" in item:
            shaped["context"] = item["context"]
        return shaped
    return dict(item)


def run_probes(
    client: APINodeClient,
    endpoint: str,
    generation: str,
    records: Sequence[dict[str, Any]],
) -> ProbeOutcome:
    """Send each probe, forced onto ``generation`` where the call allows; count what failed.

    A probe fails when the call answers an HTTP error, cannot reach the node, or answers
    without a result (or with an ignored record). ``run``, ``query`` and ``lookup`` carry no
    dispatch (as with the official client): they probe what the mapping serves at that step.
    A refused service key is no verdict on the generation: it is raised (AuthenticationError)
    for the caller to stop on.
    """
    outcome = ProbeOutcome()
    for number, record in enumerate(records, 1):
        error = _probe(client, endpoint, generation, record)
        if error is None:
            outcome.ok += 1
            continue
        outcome.failed += 1
        if len(outcome.errors) < KEPT_ERRORS:
            outcome.errors.append(f"probe {number}: {error}")
    return outcome


def _probe(
    client: APINodeClient, endpoint: str, generation: str, record: dict[str, Any]
) -> Optional[str]:
    """None when the answer came back, else why it did not."""
    call = record.get("call", "predict")
    try:
        answer = _send(client, endpoint, generation, call, record)
    except AuthenticationError:
        raise
    except ApinodeAdminError as exc:
        return exc.message
    return _verdict(call, answer)


def _send(
    client: APINodeClient, endpoint: str, generation: str, call: str, record: dict[str, Any]
) -> Any:
    if call == "predict":
        return client.predict_record(
            endpoint, record["features"], generation, context=record.get("context")
        )
    given = record["input"]
    if call == "predict-effect":
        return client.predict_effect(endpoint, given, generation)
    if call == "forecast":
        return client.forecast(endpoint, given, generation)
    if call == "run":
        return client.run_function(endpoint, **given)
    if call == "query":
        return client.sql_query(endpoint, given)
    return {"result": client.lookup_record(endpoint, given, context=record.get("context"))}


def _verdict(call: str, answer: Any) -> Optional[str]:
    answer = answer if isinstance(answer, dict) else {}
    if call == "run":
        return None if "response" in answer else "the answer holds no response"
    if call == "query":
        ok = "rows" in answer or "updatedRows" in answer
        return None if ok else "the answer holds neither rows nor updatedRows"
    if call == "forecast":
        points = answer.get("results")
        if not isinstance(points, list) or not points:
            return "the answer holds no forecast"
        if any(isinstance(p, dict) and p.get("ignored") is True for p in points):
            return "a forecast point was ignored"
        return None
    result = answer.get("result")
    if not isinstance(result, dict):
        return "the answer holds no result"
    if result.get("ignored") is True:
        reason = result.get("ignoreReason")
        return f"the record was ignored ({reason})" if reason else "the record was ignored"
    return None


__all__ = ["MAX_PROBES", "ProbeOutcome", "parse_probes", "run_probes"]
