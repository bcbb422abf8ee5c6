"""The one renderer of outcomes: one node's result, or a fleet's outcomes, in the chosen format.

One node: its rows, summary, action line or JSON. A fleet: reads merge their rows under a NODE
column, actions report one row per node (NODE, OUTCOME, DETAIL), ``-o json`` is one object per
node in fleet order. Node text goes through the run's redactor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from apinode_admin_cli.cli.common.results import (
    Action,
    Line,
    Result,
    Rows,
    Sections,
    Summary,
    result_json,
)
from apinode_admin_cli.errors import ApinodeAdminError, FleetFailure
from apinode_admin_cli.fleet.runner import FAILED, OK, SKIPPED, NodeOutcome

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.config import Fleet


def show(app: App, result: Result) -> None:
    """Render what an operation returned on one node, in the chosen format.

    Whatever the node said is scrubbed of every key this run knows first: a node may echo
    the key in a 2xx answer too (a created object, a metrics name).
    """
    if result is None:
        return
    _show(app, app.redactor.result(result))


def _show(app: App, result: Result) -> None:
    if result is None:
        return
    term = app.term
    if isinstance(result, Line):
        term.echo(result.text)  # the original tool's form, whatever the format
        return
    fmt = app.output_format if not isinstance(result, Action) else None
    if fmt == "json" or (fmt is None and app.wants_json):
        term.emit_json(result_json(result))
    elif isinstance(result, Rows):
        term.emit(app.output_format, result.records, result.columns, result.raw)
    elif isinstance(result, Summary):
        from apinode_admin_cli.output import flat_records
        from apinode_admin_cli.output.columns import SUMMARY

        data = result_json(result)
        term.emit(app.output_format, flat_records(data), SUMMARY, data)
    elif isinstance(result, Action) and result.value is not None:
        term.echo(result.value)
    elif isinstance(result, Sections):
        for index, part in enumerate(result.parts):
            if index:
                term.echo("")
            _show(app, part)


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
            item["result"] = result_json(app.redactor.result(outcome.result))
        elif outcome.outcome == FAILED:
            item["error"] = app.redactor.error_json(outcome.error)
            # A failure that still has a report to give (`ping` refused the key, say).
            partial = getattr(outcome.error, "result", None)
            if isinstance(partial, dict):
                item["result"] = partial
        items.append(item)
    return items


def show_fleet(
    app: App, fleet: Fleet, uris: dict[str, str], outcomes: Sequence[NodeOutcome[Result]]
) -> None:
    """Print the merged result, then fail with the first failed node's exit code, if any."""
    # Each node's answer scrubbed of every node's key, as its errors are.
    outcomes = [
        NodeOutcome(o.node, o.outcome, app.redactor.result(o.result), o.error, o.elapsed)
        if o.outcome == OK
        else o
        for o in outcomes
    ]
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
        from apinode_admin_cli.output.columns import FLEET_ACTIONS, NODE_KEY

        records = [
            {NODE_KEY: o.node, "outcome": o.outcome, "detail": failure_detail(app, o)}
            for o in outcomes
        ]
        app.term.emit(fmt, records, FLEET_ACTIONS, None)
    raise_first_failure(fleet, outcomes)


def _merged_rows(app: App, fmt: str, parts: Sequence[tuple[str, Any]]) -> None:
    """Every node's rows under one header, a first column NODE naming the node of each row."""
    from apinode_admin_cli.output import Column
    from apinode_admin_cli.output.columns import NODE, NODE_KEY

    columns: list[Column] = [NODE]
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
    from apinode_admin_cli.output.columns import NODE, NODE_KEY

    first = next(o.result for o in outcomes if o.outcome == OK)
    assert isinstance(first, Action) and first.columns
    columns = [NODE, *first.columns]
    records = []
    for outcome in outcomes:
        if outcome.outcome == OK and isinstance(outcome.result, Action):
            answer = outcome.result.answer if isinstance(outcome.result.answer, dict) else {}
            records.append({**answer, NODE_KEY: outcome.node})
    app.term.emit(fmt, records, columns, None)


def failure_detail(app: App, outcome: NodeOutcome[Result]) -> str:
    """What the single-node command prints for this node, or the error, in one line."""
    if outcome.outcome == FAILED:
        return app.redactor.message(outcome.error)
    result = outcome.result
    if isinstance(result, Action):
        return result.value or ""
    if isinstance(result, Line):
        return result.text
    if isinstance(result, Summary):
        from apinode_admin_cli.output import compact_json

        return compact_json(result.data) if result.data is not None else ""
    return ""


__all__ = [
    "fleet_json",
    "failure_detail",
    "raise_first_failure",
    "show",
    "show_fleet",
]
