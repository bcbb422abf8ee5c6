"""One command on every node of a fleet: per-node settings and clients, progress, merged output.

The command's operation is the single-node one; here it runs on each node concurrently
(``fleet/runner.py``), each node with its own profile's settings and its own HTTP session.
Reads merge their rows under a NODE column; actions report one row per node (NODE, OUTCOME,
DETAIL); ``-o json`` is one object per node, in fleet order.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from apinode_admin_cli.cli.app import App, Node
from apinode_admin_cli.cli.nodelog import current_node
from apinode_admin_cli.cli.results import Action, Line, Result, Rows, Summary, result_json
from apinode_admin_cli.cli.terminal import printable
from apinode_admin_cli.errors import ApinodeAdminError, FleetFailure
from apinode_admin_cli.fleet.runner import FAILED, OK, SKIPPED, NodeOutcome, run_on_nodes

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.config import Fleet, Settings


class FleetNode(Node):
    """One node of a fleet: its own settings, its own client, its messages kept for itself."""

    def __init__(self, app: App, name: str, settings: Settings, reminders: set[str]) -> None:
        super().__init__(app)
        self.name = name
        self._settings = settings
        self._client: Optional[APINodeAdminClient] = None
        self._reminders = reminders
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def client(self) -> APINodeAdminClient:
        with self._lock:
            if self._client is None:
                from apinode_admin_cli.config import require_connection
                from apinode_admin_cli.config.connect import admin_client

                uri, api_key = require_connection(self._settings)
                self._client = admin_client(self._settings.values, uri, api_key)
            return self._client

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient:
        from apinode_admin_cli.config import require_connection
        from apinode_admin_cli.config.connect import user_client

        uri = self._settings.uri or require_connection(self._settings)[0]
        return user_client(self._settings.values, uri, service_id, service_key)

    def info(self, message: str) -> None:
        """A node's progress messages give way to its one progress line."""

    def warn(self, message: str) -> None:
        self.app.term.warn(f"{self.name}: {printable(message)}")

    def remind(self, message: str) -> None:
        with self._lock:
            first = message not in self._reminders
            self._reminders.add(message)
        if first:
            self.app.term.info(message.replace("the node reads", "each node reads", 1))

    def node_path(self, path: str) -> str:
        absolute = super().node_path(path)
        if not self.is_local():
            self.remind(
                f"Note: each node reads {absolute} from its own disk: "
                "it must be at that path on every node of the fleet."
            )
        return absolute

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def node_settings(app: App, fleet: Fleet) -> dict[str, Settings]:
    """Every node's settings, resolved before any request: a config error stops them all."""
    from apinode_admin_cli.config import BY_NAME, env_value, resolve_settings

    ignored = [BY_NAME[n].env for n in ("uri", "api_key", "api_key_file") if env_value(n, app.env)]
    if ignored:
        app.term.warn(
            f"{', '.join(str(v) for v in ignored)} ignored with a fleet: each node uses the URI "
            "and key of its own profile"
        )
    found = {}
    for name in fleet.profiles:
        settings = resolve_settings(
            app.flags, app.env, stdin=app.term.inp, node=(name, f"fleet {fleet.name}")
        )
        found[name] = settings
        app.fleet_secrets += [settings.api_key, settings.service_key]
        for warning in settings.warnings:
            app.term.warn(f"{name}: {warning}")
    return found


def run_on_fleet(app: App, fleet: Fleet, operation: Callable[[Node], Result]) -> None:
    """Run ``operation`` on every node, report each as it ends, then show the merged result."""
    uris, outcomes = collect(app, fleet, operation)
    show_fleet(app, fleet, uris, outcomes)


class FleetSession:
    """The nodes of a fleet, ready for one fan-out after another (plan, then apply, say).

    Each node's settings are resolved, and their warnings shown, once; each node keeps its
    HTTP session across fan-outs. Close it (or use it as a context manager) when done.
    """

    def __init__(self, app: App, fleet: Fleet) -> None:
        self.app = app
        self.fleet = fleet
        settings = node_settings(app, fleet)
        reminders: set[str] = set()
        self.nodes = {
            name: FleetNode(app, name, settings[name], reminders) for name in fleet.profiles
        }
        if any(s.no_check_certificate for s in settings.values()):
            app.term.say(
                "Warning: TLS certificate verification is disabled (--no-check-certificate)."
            )

    @property
    def uris(self) -> dict[str, str]:
        return {name: node.uri for name, node in self.nodes.items()}

    def run(
        self, operation: Callable[[Node], Any], say_ok: Optional[bool] = None
    ) -> list[NodeOutcome[Any]]:
        """Run ``operation`` on every node concurrently, a progress line as each node ends.

        ``say_ok``: whether a node that succeeded gets a line (None: for actions, not reads).
        """

        def work(name: str) -> Any:
            current_node.set(name)
            return operation(self.nodes[name])

        return run_on_nodes(
            self.fleet.profiles,
            work,
            parallel=self.app.early.parallel,
            on_done=lambda outcome: _progress(self.app, outcome, say_ok),
            catch=(ApinodeAdminError,),
        )

    def close(self) -> None:
        for node in self.nodes.values():
            node.close()

    def __enter__(self) -> FleetSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def collect(
    app: App, fleet: Fleet, operation: Callable[[Node], Any]
) -> tuple[dict[str, str], list[NodeOutcome[Any]]]:
    """Each node's URI and outcome, with a progress line on stderr as each node ends."""
    with FleetSession(app, fleet) as session:
        return session.uris, session.run(operation)


def _progress(app: App, outcome: NodeOutcome[Any], say_ok: Optional[bool] = None) -> None:
    """``prod-2: ok (0.41 s)`` as each node ends; failures even under -q."""
    if outcome.outcome == OK:
        # A read's rows speak for it; an action's line says it happened.
        ok_line = isinstance(outcome.result, (Action, Summary, Line)) if say_ok is None else say_ok
        if ok_line:
            app.term.info(f"{outcome.node}: ok ({outcome.elapsed:.2f} s)")
    elif outcome.outcome == FAILED:
        reason = node_message(app, outcome.error)
        app.term.say(f"{outcome.node}: failed ({outcome.elapsed:.2f} s): {reason}")
    else:
        app.term.say(f"{outcome.node}: skipped (an earlier node failed)")


def node_message(app: App, error: Optional[BaseException]) -> str:
    """A node's error message, safe to print: every known key scrubbed, controls escaped."""
    from apinode_admin_cli.redact import scrub

    text = error.message if isinstance(error, ApinodeAdminError) else str(error)
    return printable(scrub(text, app.secrets()))


def _error_json(app: App, error: Optional[BaseException]) -> dict[str, Any]:
    payload = error.to_json()["error"] if isinstance(error, ApinodeAdminError) else {}
    return {
        "status": payload.get("status"),
        "errorType": payload.get("errorType") or type(error).__name__,
        "message": node_message(app, error),
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
    from apinode_admin_cli.output import Column

    fmt = app.output_format
    results = [o.result for o in outcomes if o.outcome == OK]
    if fmt == "json":
        app.term.emit_json(fleet_json(app, uris, outcomes))
    elif results and all(isinstance(r, Rows) for r in results):
        columns: list[Column] = [Column(NODE_KEY, "NODE")]
        records: list[dict[str, Any]] = []
        for outcome in outcomes:
            if outcome.outcome != OK:
                continue
            rows = outcome.result
            assert isinstance(rows, Rows)
            for column in rows.columns:
                if column not in columns:
                    columns.append(column)
            records += [{**record, NODE_KEY: outcome.node} for record in rows.records]
        app.term.emit(fmt, records, columns, None)
    elif results and all(isinstance(r, Action) and r.columns for r in results):
        _action_records(app, fmt, outcomes)
    else:
        records = [
            {NODE_KEY: o.node, "outcome": o.outcome, "detail": _detail(app, o)} for o in outcomes
        ]
        app.term.emit(fmt, records, ACTION_COLUMNS, None)
    raise_first_failure(fleet, outcomes)


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
    "FleetNode",
    "FleetSession",
    "collect",
    "node_message",
    "fleet_json",
    "node_settings",
    "raise_first_failure",
    "run_on_fleet",
    "show_fleet",
]
