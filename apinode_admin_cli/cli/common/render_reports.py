"""Reports only their command can render (an apply's), for one node or a fleet.

The command gives the report's JSON, its fleet table detail and its one-node closing line;
the choice between one node's form and a fleet's is made here, from the run's session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from apinode_admin_cli.cli.common.render import (
    failure_detail,
    fleet_json,
    raise_first_failure,
    show,
    show_fleet,
)
from apinode_admin_cli.cli.common.results import Summary
from apinode_admin_cli.errors import ApinodeAdminError, FleetFailure
from apinode_admin_cli.fleet.runner import FAILED, OK, SKIPPED, NodeOutcome

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.cli.common.targets import Session


def show_reports(
    app: App,
    session: Session,
    outcomes: Sequence[NodeOutcome[Any]],
    to_json: Callable[[Any], Any],
    detail: Callable[[Any], str],
    closing: Callable[[Any], Optional[str]],
    stopped: bool = False,
) -> None:
    """Reports only their command can render (an apply's): one node's, or a fleet's.

    One node: its report's JSON, then its closing line or its failure. A fleet: the per-node
    array whose ``result`` is the one-node JSON, or a NODE/OUTCOME/DETAIL table, then the
    first failure. A node that failed with a report of its own (``error.result``) shows it
    too: what was done there matters as much as what failed. ``stopped``: a stop signal
    ends the run after this, so no failure is raised here.
    """
    if session.fleet is None:
        (outcome,) = outcomes
        report = outcome.result if outcome.outcome == OK else _report_of(outcome)
        if app.wants_json and report is not None:
            app.term.emit_json(to_json(report))
        if outcome.outcome != OK:
            if not stopped:
                assert outcome.error is not None
                raise outcome.error
            return
        line = closing(report)
        if line:
            app.term.info(line)
        return
    if app.wants_json:
        app.term.emit_json(report_array(app, session.uris, outcomes, to_json))
    else:
        from apinode_admin_cli.output.columns import FLEET_ACTIONS, NODE_KEY

        records = [
            {
                NODE_KEY: o.node,
                "outcome": o.outcome,
                "detail": detail(o.result) if o.outcome == OK else failure_detail(app, o),
            }
            for o in outcomes
        ]
        app.term.emit(app.output_format, records, FLEET_ACTIONS, None)
    if not stopped:
        raise_first_failure(session.fleet, outcomes)


def show_each(
    app: App,
    session: Session,
    outcomes: Sequence[NodeOutcome[Any]],
    to_json: Callable[[Any], Any],
    show_text: Callable[[Optional[str], Any], None],
) -> None:
    """Every node's report (a plan, a state file), then the failure, if a node failed.

    ``-o json``: one node's report as its own JSON, a fleet's as the per-node array. Text:
    ``show_text(name, report)`` for each node that succeeded, in fleet order, ``name``
    being None on one node. One node that failed: its error, before anything is shown.
    """
    if session.fleet is None:
        raise_failures(session, outcomes)
    if app.wants_json:
        if session.fleet is None:
            app.term.emit_json(to_json(outcomes[0].result))
        else:
            app.term.emit_json(report_array(app, session.uris, outcomes, to_json))
    else:
        for outcome in outcomes:
            if outcome.outcome == OK:
                show_text(outcome.node if session.fleet else None, outcome.result)
    raise_failures(session, outcomes)


def show_outcomes(app: App, session: Session, outcomes: Sequence[NodeOutcome[Any]]) -> None:
    """One node's result as the command shows it, or its error; a fleet's merged outcomes."""
    if session.fleet is None:
        raise_failures(session, outcomes)
        show(app, outcomes[0].result)
        return
    show_fleet(app, session.fleet, session.uris, outcomes)


def raise_if_one_failed(session: Session, outcomes: Sequence[NodeOutcome[Any]]) -> None:
    """One node's failure is the command's, before anything is shown; a fleet's nodes that
    answered are shown first (``raise_failures`` after)."""
    if session.fleet is None:
        raise_failures(session, outcomes)


def raise_failures(session: Session, outcomes: Sequence[NodeOutcome[Any]]) -> None:
    """One node's own error, or a fleet's FleetFailure naming every node that failed."""
    if session.fleet is not None:
        raise_first_failure(session.fleet, outcomes)
        return
    for outcome in outcomes:
        if outcome.outcome == FAILED:
            assert outcome.error is not None
            raise outcome.error


def report_array(
    app: App,
    uris: dict[str, str],
    outcomes: Sequence[NodeOutcome[Any]],
    to_json: Callable[[Any], Any],
) -> list[dict[str, Any]]:
    """The contract's per-node objects whose ``result`` is the one-node JSON of the report."""
    shown: list[NodeOutcome[Any]] = [
        NodeOutcome(o.node, o.outcome, Summary(to_json(o.result)), o.error, o.elapsed)
        if o.outcome == OK
        else o
        for o in outcomes
    ]
    items = fleet_json(app, uris, shown)
    for item, outcome in zip(items, outcomes):
        report = _report_of(outcome)
        if report is not None:
            item["result"] = to_json(report)
    return items


def _report_of(outcome: NodeOutcome[Any]) -> Any:
    """The report a failed node's error carries (an apply stopped midway), if it is one."""
    report = getattr(outcome.error, "result", None)
    return None if report is None or isinstance(report, dict) else report


def refuse_partial(
    app: App, session: Session, outcomes: Sequence[NodeOutcome[Any]], verb: str
) -> None:
    """A node that could not ``verb`` (plan, say) stops the command before any write.

    One node: its own error. A fleet: the per-node array under -o json (the others
    skipped), then one error naming the nodes, with the first failure's exit code and hint.
    """
    if all(o.outcome == OK for o in outcomes):
        return
    failed = [o for o in outcomes if o.outcome == FAILED]
    fleet = session.fleet
    if fleet is None:
        assert failed and failed[0].error is not None
        raise failed[0].error
    if app.wants_json:
        shown = [o if o.outcome == FAILED else NodeOutcome(o.node, SKIPPED) for o in outcomes]
        app.term.emit_json(fleet_json(app, session.uris, shown))
    names = ", ".join(o.node for o in outcomes if o.outcome != OK)
    first = failed[0] if failed else outcomes[0]
    hint = first.error.hint if isinstance(first.error, ApinodeAdminError) else None
    raise FleetFailure(
        f"could not {verb} {names} (fleet {fleet.name}): nothing was changed on any node",
        first.exit_code,
        hint=hint and f"{first.node}: {hint}",
    )


__all__ = [
    "raise_failures",
    "raise_if_one_failed",
    "refuse_partial",
    "report_array",
    "show_each",
    "show_outcomes",
    "show_reports",
]
