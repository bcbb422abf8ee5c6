"""How a fleet's outcomes are shown: merged rows, one row per node, or the per-node JSON array."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.results import (
    Action,
    Line,
    Result,
    Rows,
    Sections,
    Summary,
    result_json,
)
from apinode_admin_cli.cli.common.terminal import printable
from apinode_admin_cli.errors import ApinodeAdminError, FleetFailure
from apinode_admin_cli.fleet.runner import FAILED, OK, SKIPPED, NodeOutcome

if TYPE_CHECKING:
    from apinode_admin_cli.config import Fleet


def node_message(app: App, error: Optional[BaseException]) -> str:
    """A node's error message, safe to print: every known key scrubbed, controls escaped."""
    from apinode_admin_cli.redact import scrub

    text = error.message if isinstance(error, ApinodeAdminError) else str(error)
    return printable(scrub(text, app.secrets()))


def _error_json(app: App, error: Optional[BaseException]) -> dict[str, Any]:
    from apinode_admin_cli.redact import scrub

    payload = error.to_json()["error"] if isinstance(error, ApinodeAdminError) else {}
    text = error.message if isinstance(error, ApinodeAdminError) else str(error)
    # Keys scrubbed; control characters left to the JSON writer, which escapes them once.
    return {
        "status": payload.get("status"),
        "errorType": scrub(str(payload.get("errorType") or type(error).__name__), app.secrets()),
        "message": scrub(text, app.secrets()),
        "exitCode": NodeOutcome("", FAILED, error=error).exit_code,
    }


def fleet_json(
    app: App, uris: dict[str, str], outcomes: Sequence[NodeOutcome[Result]]
) -> list[dict[str, Any]]:
    """The contract's per-node array: ok with its result, failed with its error, or skipped."""
    items = []
    for outcome in outcomes:
        item: dict[str, Any] = {
            "node": outcome.node,
            "uri": uris.get(outcome.node),
            "outcome": outcome.outcome,
        }
        if outcome.outcome == OK:
            item["result"] = result_json(outcome.result)
        elif outcome.outcome == FAILED:
            item["error"] = _error_json(app, outcome.error)
        items.append(item)
    return items


def show_fleet(
    app: App, fleet: Fleet, uris: dict[str, str], outcomes: Sequence[NodeOutcome[Result]]
) -> None:
    """Print the merged result, then fail with the first failed node's exit code, if any."""

    fmt = app.output_format
    results = [o.result for o in outcomes if o.outcome == OK]
    if fmt == "json":
        app.term.emit_json(fleet_json(app, uris, outcomes))
    elif results and all(isinstance(r, Rows) for r in results):
        _merged_rows(app, fmt, [(o.node, o.result) for o in outcomes if o.outcome == OK])
    elif results and all(_sections_of_rows(r, results[0]) for r in results):
        # Several tables per node (`services describe`): each table merged across the nodes.
        sections = [(o.node, o.result) for o in outcomes if isinstance(o.result, Sections)]
        for index in range(len(sections[0][1].parts)):
            if index:
                app.term.echo("")
            _merged_rows(app, fmt, [(node, result.parts[index]) for node, result in sections])
    elif results and all(isinstance(r, Action) and r.columns for r in results):
        _action_records(app, fmt, outcomes)
    else:
        records = [
            {NODE_KEY: o.node, "outcome": o.outcome, "detail": _detail(app, o)} for o in outcomes
        ]
        app.term.emit(fmt, records, ACTION_COLUMNS, None)
    raise_first_failure(fleet, outcomes)


def _merged_rows(app: App, fmt: str, parts: Sequence[tuple[str, Any]]) -> None:
    """Every node's rows under one header, a first column NODE naming the node of each row."""
    from apinode_admin_cli.output import Column

    columns: list[Column] = [Column(NODE_KEY, "NODE")]
    records: list[dict[str, Any]] = []
    for node, rows in parts:
        for column in rows.columns:
            if column not in columns:
                columns.append(column)
        records += [{**record, NODE_KEY: node} for record in rows.records]
    app.term.emit(fmt, records, columns, None)


def _sections_of_rows(result: Any, first: Any) -> bool:
    """Tables of the same shape on every node, so that each can be merged."""
    return (
        isinstance(result, Sections)
        and isinstance(first, Sections)
        and len(result.parts) == len(first.parts)
        and all(isinstance(part, Rows) for part in result.parts)
    )


def raise_first_failure(fleet: Fleet, outcomes: Sequence[NodeOutcome[Any]]) -> None:
    """FleetFailure with the first failed node's exit code (fleet order), if a node failed."""
    failed = [o for o in outcomes if o.outcome == FAILED]
    if failed:
        skipped = [o.node for o in outcomes if o.outcome == SKIPPED]
        message = f"{len(failed)} of {len(outcomes)} nodes of fleet {fleet.name} failed: "
        message += ", ".join(o.node for o in failed)
        if skipped:
            message += f"; not started: {', '.join(skipped)}"
        first = failed[0].error
        hint = first.hint if isinstance(first, ApinodeAdminError) and first.hint else None
        raise FleetFailure(message, failed[0].exit_code, hint=hint and f"{failed[0].node}: {hint}")


def _action_records(app: App, fmt: str, outcomes: Sequence[NodeOutcome[Result]]) -> None:
    """Actions that declare their own fleet columns (``keys create``: NODE, ID, KEY)."""
    from apinode_admin_cli.output import Column

    first = next(o.result for o in outcomes if o.outcome == OK)
    assert isinstance(first, Action) and first.columns
    columns = [Column(NODE_KEY, "NODE"), *first.columns]
    records = []
    for outcome in outcomes:
        if outcome.outcome == OK and isinstance(outcome.result, Action):
            answer = outcome.result.answer if isinstance(outcome.result.answer, dict) else {}
            records.append({**answer, NODE_KEY: outcome.node})
    app.term.emit(fmt, records, columns, None)


def _detail(app: App, outcome: NodeOutcome[Result]) -> str:
    """What the single-node command prints for this node, or the error, in one line."""
    if outcome.outcome == FAILED:
        return node_message(app, outcome.error)
    result = outcome.result
    if isinstance(result, Action):
        return result.value or ""
    if isinstance(result, Line):
        return result.text
    if isinstance(result, Summary):
        from apinode_admin_cli.output import compact_json

        return compact_json(result.data) if result.data is not None else ""
    return ""


# A key no node answer can hold, for the NODE column of merged rows.
NODE_KEY = "\x00node"


def _action_columns() -> tuple[Any, ...]:
    from apinode_admin_cli.output import Column

    return (Column(NODE_KEY, "NODE"), Column("outcome", "OUTCOME"), Column("detail", "DETAIL"))


ACTION_COLUMNS = _action_columns()


__all__ = [
    "ACTION_COLUMNS",
    "NODE_KEY",
    "fleet_json",
    "node_message",
    "raise_first_failure",
    "show_fleet",
]
