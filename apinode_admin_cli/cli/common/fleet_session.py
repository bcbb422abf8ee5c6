"""The nodes of a fleet, ready for one fan-out after another: per-node settings, clients, progress.

Each node runs with its own profile's settings and its own HTTP session (``fleet/runner.py`` runs
them concurrently); a progress line on stderr tells as each node ends.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Optional

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.nodelog import current_node
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.cli.common.results import Action, Line, Summary
from apinode_admin_cli.errors import ApinodeAdminError, Terminated
from apinode_admin_cli.fleet.runner import FAILED, OK, NodeOutcome, run_on_nodes

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.config import Fleet, Settings


_REMINDING = threading.Lock()


# What a node of a fleet says on a 401: its key comes from its own profile, never a flag.
FLEET_AUTH_HINT = (
    "check `api_key` or `api_key_file` in the node's profile "
    "(`apinode-admin --profile NODE config show`); service keys are not admin keys"
)


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
                self._client = self.app.admin_client_for(self._settings, FLEET_AUTH_HINT)
            return self._client

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient:
        return self.app.user_client_for(self._settings, service_id, service_key)

    def info(self, message: str) -> None:
        """A node's progress messages give way to its one progress line."""

    def warn(self, message: str) -> None:
        self.app.term.warn(f"{self.name}: {printable(message)}")

    def remind(self, message: str) -> None:
        with _REMINDING:  # the nodes' threads share the reminders: one of them says it
            first = message not in self._reminders
            self._reminders.add(message)
        if first:
            self.app.term.info(message.replace("the node reads", "each node reads", 1))

    def remote_path_note(self, path: str) -> str:
        return (
            f"Note: each node reads {path} from its own disk: "
            "it must be at that path on every node of the fleet."
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


class FleetSession:
    """The nodes of a fleet, ready for one fan-out after another (plan, then apply, say).

    Each node's settings are resolved, and their warnings shown, once; each node keeps its
    HTTP session across fan-outs. Close it (or use it as a context manager) when done.
    ``admin``: the operation uses the admin API, so every node needs its key (predictions
    need only the URI).
    """

    def __init__(self, app: App, fleet: Fleet, admin: bool = True) -> None:
        self.app = app
        self.fleet = fleet
        # The stop signal that ended a fan-out, for work that can stop between two requests.
        self.stopped: Optional[KeyboardInterrupt] = None
        settings = app.node_settings(fleet)
        for name in fleet.profiles:
            # Found before any request, like an unreadable key file: otherwise the other
            # nodes would be changed and this one not.
            _require_connection(fleet, name, settings[name], admin)
        reminders: set[str] = set()
        self.nodes = {
            name: FleetNode(app, name, settings[name], reminders) for name in fleet.profiles
        }
        for node_settings in settings.values():
            app.warn_if_insecure(node_settings)

    @property
    def uris(self) -> dict[str, str]:
        return {name: node.uri for name, node in self.nodes.items()}

    def run(
        self,
        operation: Callable[[Node], Any],
        say_ok: Optional[bool] = None,
        parallel: Optional[int] = None,
    ) -> list[NodeOutcome[Any]]:
        """Run ``operation`` on every node concurrently, a progress line as each node ends.

        ``say_ok``: whether a node that succeeded gets a line (None: for actions, not reads).
        ``parallel``: the command's own limit (1: node by node), over --parallel.
        """

        def work(name: str) -> Any:
            current_node.set(name)
            return operation(self.nodes[name])

        # Loaded here, once: a hundred node threads would otherwise all queue on the import
        # lock for the HTTP stack the first of them is loading.
        import apinode_admin_cli.client.deadline  # noqa: F401
        import apinode_admin_cli.client.transport  # noqa: F401
        from apinode_admin_cli.rollout.signals import stop_signals

        # SIGTERM stops a fan-out as Ctrl-C does, and a second signal waits for the report.
        with stop_signals(linger=True):
            return run_on_nodes(
                self.fleet.profiles,
                work,
                parallel=parallel or self.app.early.parallel,
                on_done=lambda outcome: _progress(self.app, outcome, say_ok),
                catch=(ApinodeAdminError,),
                on_stop=self._stop,
            )

    def _stop(self, stop: KeyboardInterrupt) -> None:
        self.stopped = stop
        self.app.term.say(
            f"{'Terminated' if isinstance(stop, Terminated) else 'Interrupted'}: "
            "waiting for the nodes under way to finish their request..."
        )

    def close(self) -> None:
        for node in self.nodes.values():
            node.close()

    def __enter__(self) -> FleetSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _require_connection(fleet: Fleet, name: str, settings: Settings, admin: bool) -> None:
    """ConfigError when a node's profile lacks its URI, or its key for the admin API."""
    if not settings.uri:
        missing, where = "URI", "`uri`"
    elif admin and not settings.api_key:
        missing, where = "API key", "`api_key_file` or `api_key`"
    else:
        return
    from apinode_admin_cli.config.files import display_path
    from apinode_admin_cli.errors import ConfigError

    raise ConfigError(
        f"node {name} of fleet {fleet.name} has no {missing}: set {where} in profile "
        f"{name!r} of {display_path(settings.config_path)}",
        hint=f"`apinode-admin --profile {name} config show` tells where each setting comes from",
    )


def collect(
    app: App,
    fleet: Fleet,
    operation: Callable[[Node], Any],
    admin: bool = True,
    parallel: Optional[int] = None,
) -> tuple[dict[str, str], list[NodeOutcome[Any]]]:
    """Each node's URI and outcome, with a progress line on stderr as each node ends."""
    with FleetSession(app, fleet, admin) as session:
        return session.uris, session.run(operation, parallel=parallel)


def _progress(app: App, outcome: NodeOutcome[Any], say_ok: Optional[bool] = None) -> None:
    """``prod-2: ok (0.41 s)`` as each node ends; failures even under -q."""
    if outcome.outcome == OK:
        # A read's rows speak for it; an action's line says it happened.
        ok_line = isinstance(outcome.result, (Action, Summary, Line)) if say_ok is None else say_ok
        if ok_line:
            app.term.info(f"{outcome.node}: ok ({outcome.elapsed:.2f} s)")
    elif outcome.outcome == FAILED:
        reason = app.redactor.message(outcome.error)
        app.term.say(f"{outcome.node}: failed ({outcome.elapsed:.2f} s): {reason}")
    else:
        app.term.say(f"{outcome.node}: skipped (an earlier node failed)")


__all__ = ["FLEET_AUTH_HINT", "FleetNode", "FleetSession", "collect"]
