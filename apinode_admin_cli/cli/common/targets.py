"""The one fan-out: the node or the nodes a command runs on, decided here and nowhere else.

A command hands :func:`run` its single-node operation; with a fleet (``--fleet``) the operation
runs on each node of a :class:`~apinode_admin_cli.cli.common.fleet_session.FleetSession`
concurrently, and :mod:`~apinode_admin_cli.cli.common.render` shows the outcomes. Commands
that drive the nodes themselves (a rollout, a watch) take them from :func:`nodes`, where a
single node is a fleet of one; commands that run on one node only ask :func:`one_node`.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional, Union

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.fleet_session import FleetSession
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.render import show, show_fleet
from apinode_admin_cli.cli.common.results import Result
from apinode_admin_cli.errors import ApinodeAdminError, FleetFailure, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.config import Fleet
    from apinode_admin_cli.fleet.runner import NodeOutcome


def one_node(app: App) -> Node:
    """The node of a single-node run; a usage error when the run names a fleet."""
    fleet = app.fleet
    if fleet is not None:
        nodes = f"fleet {fleet.name}: {', '.join(fleet.profiles)}"
        if app.flags.get("fleet") is None:
            # The fleet came from the environment: say so, or "--fleet" reads as a lie.
            from apinode_admin_cli.config.schema import setting

            env = setting("fleet").env
            raise UsageError(
                f"this command runs on one node, and {env} names a fleet",
                hint=f"pick one node with --profile, or unset {env} ({nodes})",
            )
        raise UsageError(
            "this command runs on one node: it does not take --fleet",
            hint=f"pick one node with --profile ({nodes})",
        )
    if app.flags.get("parallel") is not None:
        # Said, not refused: the command itself is fine, only the flag has nothing to do.
        app.warn_once("--parallel is for fleets (--fleet NAME): ignored on one node")
    return Node(app)


@contextmanager
def nodes(app: App, admin: bool = True) -> Iterator[list[Node]]:
    """The nodes of this run, for commands that drive them step by step (a rollout, a watch).

    A single node is a fleet of one; a fleet's nodes come with their own settings and
    clients, closed when the block ends.
    """
    fleet = app.fleet
    if fleet is None:
        yield [one_node(app)]
        return
    with FleetSession(app, fleet, admin) as session:
        yield list(session.nodes.values())


class OneNodeSession:
    """The node of a single-node run as a fleet of one, for flows written once for both.

    It has a :class:`FleetSession`'s ``run``, ``uris``, ``nodes`` and ``stopped``; ``fleet``
    is None. Its node's failure comes back as a failed outcome, as a fleet node's does; a
    failure caused by a stop signal ends the run as a fleet's does (``NodesInterrupted``).
    """

    fleet: Optional[Fleet] = None
    stopped: Optional[KeyboardInterrupt] = None

    def __init__(self, app: App) -> None:
        node = one_node(app)
        self.nodes = {node.name or "": node}

    @property
    def uris(self) -> dict[str, str]:
        return {name: node.uri for name, node in self.nodes.items()}

    def run(
        self,
        operation: Callable[[Node], Any],
        say_ok: Optional[bool] = None,
        parallel: Optional[int] = None,
    ) -> list[NodeOutcome[Any]]:
        """``operation`` on the node, its outcome in a list of one; no progress line."""
        from apinode_admin_cli.fleet.runner import FAILED, OK, NodeOutcome, NodesInterrupted

        ((name, node),) = self.nodes.items()
        start = time.monotonic()
        try:
            result = operation(node)
        except ApinodeAdminError as error:
            failed: NodeOutcome[Any] = NodeOutcome(
                name, FAILED, error=error, elapsed=time.monotonic() - start
            )
            if isinstance(error.__cause__, KeyboardInterrupt):
                raise NodesInterrupted([failed], error.__cause__) from None
            return [failed]
        return [NodeOutcome(name, OK, result, elapsed=time.monotonic() - start)]

    def close(self) -> None:
        """The node's client is the app's: the app closes it."""


Session = Union[OneNodeSession, FleetSession]


@contextmanager
def session(app: App, admin: bool = True) -> Iterator[Session]:
    """The nodes of this run for fan-out after fan-out: a fleet's, or one node as a fleet of one."""
    fleet = app.fleet
    if fleet is None:
        yield OneNodeSession(app)
        return
    with FleetSession(app, fleet, admin) as fleet_session:
        yield fleet_session


def run(
    app: App,
    operation: Callable[[Node], Result],
    admin: bool = True,
    parallel: Optional[int] = None,
) -> None:
    """Run one node operation on the run's node, or on every node of its fleet, and show it.

    ``admin``: the operation uses the admin API (False: the user API, URI only).
    ``parallel``: nodes of a fleet at once, whatever --parallel says (1: node by node).
    """
    fleet = app.fleet
    if fleet is not None:
        run_on_fleet(app, fleet, operation, admin, parallel)
        return
    try:
        result = operation(one_node(app))
    except ApinodeAdminError as error:
        # A failure that still has a report to give (`ping` refused the key): the report is
        # printed, then the failure ends the command, as a fleet node's JSON keeps both.
        report = getattr(error, "partial_report", None)
        if report is not None:
            show(app, report)
        raise
    show(app, result)


def fleet_of(app: App) -> Optional[Fleet]:
    """The fleet this run names, None on one node: for the steps only a fleet takes.

    (a check of every node before a traffic change, a hint instead of a one-node preview).
    """
    return app.fleet


def confirm(app: App, action: str, yes: bool) -> None:
    """Ask on a terminal, else require --yes (exit 2); a fleet's question names its nodes."""
    if yes:
        return
    fleet = app.fleet
    if fleet is not None:
        action = f"{action} on {len(fleet.profiles)} nodes ({', '.join(fleet.profiles)})"
    if app.term.can_prompt():
        if app.term.confirm(f"{action}?"):
            return
        raise ApinodeAdminError("cancelled: nothing was changed")
    raise UsageError(
        f"refusing to {action.lower()} without confirmation: pass -y/--yes",
        hint="destructive commands ask on a terminal and otherwise need -y/--yes",
    )


def run_on_fleet(
    app: App,
    fleet: Fleet,
    operation: Callable[[Node], Result],
    admin: bool = True,
    parallel: Optional[int] = None,
) -> None:
    """Run ``operation`` on every node, report each as it ends, then show the merged result.

    Stopped by Ctrl-C or SIGTERM: what every node did (or may have done) is shown all the
    same, then the stop ends the command (130 or 143).
    """
    from apinode_admin_cli.fleet.runner import NodesInterrupted

    with FleetSession(app, fleet, admin) as session:
        try:
            outcomes = session.run(operation, parallel=parallel)
        except NodesInterrupted as stop:
            try:
                show_fleet(app, fleet, session.uris, stop.outcomes)  # type: ignore[arg-type]
            except FleetFailure as failure:
                app.term.say(f"Stopped: {failure.message}")
            raise stop.stop from None
        show_fleet(app, fleet, session.uris, outcomes)


__all__ = [
    "OneNodeSession",
    "Session",
    "confirm",
    "fleet_of",
    "nodes",
    "one_node",
    "run",
    "run_on_fleet",
    "session",
]
