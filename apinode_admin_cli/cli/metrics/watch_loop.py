"""``metrics watch``: poll the node (or each node of the fleet) and show what changes.

The watch itself is library code (:mod:`apinode_admin_cli.watch`); this module picks the
nodes and their clients, the view (a live table on a terminal, JSON lines elsewhere) and the
exit code. Decisions:

- Each node's client is built before the first poll, so a node without a URI or key stops
  the watch at once (exit 3), and then serves every poll.
- Ctrl-C ends the watch with exit 0 and nothing more on screen: it is how a watch ends.
- A node that does not answer a poll is shown as such and the watch goes on. A ``--count``
  watch that ran to its end then exits with the code of the first node, in fleet order, that
  missed a poll (its last error's), so that a script cannot take a silent node for a calm one.
- The live table stays on screen when the watch ends (not transient): the last poll is what
  the operator wanted to see.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.nodelog import current_node
from apinode_admin_cli.cli.common.targets import fleet_of, nodes
from apinode_admin_cli.errors import ApinodeAdminError, UsageError
from apinode_admin_cli.watch import NodeDown, WatchFailure

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient
    from apinode_admin_cli.watch import Reading, Watch

# Faster than this hammers the node for nothing; slower is a job for cron.
MIN_INTERVAL = 0.1
MAX_INTERVAL = 3600.0


def check_interval(seconds: float) -> float:
    """The interval, or exit 2 when it is not a number of seconds in the accepted range."""
    if not math.isfinite(seconds) or not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise UsageError(
            f"--interval must be between {MIN_INTERVAL:g} and {MAX_INTERVAL:g} seconds, "
            f"not {seconds:g}"
        )
    return seconds


class Misses:
    """Each node's failed polls: how many, and the last error (for the exit code)."""

    def __init__(self, app: App, detach: bool = False) -> None:
        self.app = app
        self.polls = 0
        self.failed: dict[Optional[str], int] = {}
        self.last: dict[Optional[str], ApinodeAdminError] = {}
        # With several nodes, the library polls them from pool threads, which the interpreter
        # joins on exit: after Ctrl-C, a node that hangs would hold the exit up to --timeout.
        # Each request then runs in a daemon thread, and the pool's wait ends with the watch.
        self.detach = detach
        self._waiting: set[threading.Event] = set()
        self._lock = threading.Lock()
        self._stopped = False

    def fetcher(self, name: Optional[str], client: APINodeAdminClient) -> Callable[[], Any]:
        """The fetch of one node for :func:`~apinode_admin_cli.watch.poll`."""
        redactor = self.app.redactor

        def fetch() -> Any:
            current_node.set(name or "")  # names the node in -v logs
            try:
                return client.get_metrics()
            except ApinodeAdminError as exc:
                # Counted here, in the node's own thread: each node has one fetch at a time.
                self.failed[name] = self.failed.get(name, 0) + 1
                self.last[name] = exc
                raise NodeDown(redactor.scrub(exc.message)) from None

        return self._detached(fetch) if self.detach else fetch

    def _detached(self, fetch: Callable[[], Any]) -> Callable[[], Any]:
        def detached() -> Any:
            done = threading.Event()
            outcome: list[Any] = []

            def run() -> None:
                try:
                    outcome.append((True, fetch()))
                except BaseException as exc:  # handed over to the waiting thread
                    outcome.append((False, exc))
                finally:
                    done.set()

            with self._lock:
                if self._stopped:
                    raise NodeDown("the watch has ended")
                self._waiting.add(done)
            threading.Thread(target=run, daemon=True).start()
            done.wait()
            with self._lock:
                self._waiting.discard(done)
            if not outcome:
                raise NodeDown("the watch has ended")
            answered, value = outcome[0]
            if answered:
                return value
            raise value

        return detached

    def stop(self) -> None:
        """Release the pool threads still waiting for a node: the watch has ended."""
        with self._lock:
            self._stopped = True
            for done in self._waiting:
                done.set()

    def raise_if_any(self, order: list[Optional[str]]) -> None:
        """After a watch that ran to its end: fail when some node missed a poll."""
        missed = [name for name in order if name in self.failed]
        if not missed:
            return
        first, *others = missed
        reason = self.app.redactor.scrub(self.last[first].message)
        message = f"{first or 'the node'} did not answer {self.failed[first]} of {self.polls} polls"
        if others:
            message += f" (last error: {reason}); " + ", ".join(
                f"{name} {self.failed[name]} of {self.polls}" for name in others
            )
        else:
            message += f": {reason}"
        hint = self.last[first].hint
        if hint and first is not None:
            hint = f"{first}: {hint}"
        raise WatchFailure(message, self.last[first].exit_code, hint=hint)


def run_watch(app: App, interval: float, count: Optional[int]) -> None:
    """Poll until ``count`` polls or Ctrl-C, showing each poll as it comes."""
    with nodes(app) as targets:
        # Every client built before the first poll: a node without a URI or key stops it now.
        clients = [(node.name, node.client) for node in targets]
        fleet = fleet_of(app)
        target = f"fleet {fleet.name}" if fleet is not None else _host(targets[0].uri)
        _watch(app, clients, target, interval, count)


def _watch(
    app: App,
    clients: list[tuple[Optional[str], APINodeAdminClient]],
    target: str,
    interval: float,
    count: Optional[int],
) -> None:
    from apinode_admin_cli.watch import Watch, poll

    misses = Misses(app, detach=len(clients) > 1)
    fetchers = [(name, misses.fetcher(name, client)) for name, client in clients]
    watch = Watch([name for name, _ in clients])
    view = _view(app, watch, target, interval, count)

    def on_poll(readings: list[Reading]) -> None:
        misses.polls += 1
        view.show(readings)

    try:
        with view:
            poll(fetchers, on_poll, interval=interval, count=count, watch=watch)
    except KeyboardInterrupt:
        return
    finally:
        misses.stop()
    misses.raise_if_any([name for name, _ in clients])


def _view(app: App, watch: Watch, target: str, interval: float, count: Optional[int]) -> Any:
    """The format asked for (-o, --json, the output setting), else live on a terminal, JSON
    lines elsewhere: a watch in a pipe feeds jq, not a reader."""
    from apinode_admin_cli.cli.metrics.views import JsonLines, Lines, Tables

    tty = app.term.out_is_tty()
    asked = app.settings.output
    fmt = app.output_format if asked is not None else ("table" if tty else "json")
    if fmt == "json":
        return JsonLines(app)
    if fmt in ("plain", "tsv"):
        return Lines(app)
    return LiveView(app, watch, target, interval, count) if tty else Tables(app, watch, target)


def _host(uri: str) -> str:
    """host:port of a URI: the live table's title has no room for a path or a user name."""
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    host = parts.hostname or uri
    return f"{host}:{parts.port}" if parts.port else host


class LiveView:
    """On a terminal: the table of changed metrics, redrawn after each poll."""

    def __init__(
        self, app: App, watch: Watch, target: str, interval: float, count: Optional[int]
    ) -> None:
        from apinode_admin_cli.output.live import LiveScreen

        self.watch = watch
        self.target = target
        self.interval = interval
        self.count = count
        self.polls = 0
        self.screen = LiveScreen(app.term.out, app.term.color, f"Polling {target}...")

    def __enter__(self) -> LiveView:
        self.screen.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.screen.stop()

    def show(self, readings: list[Reading]) -> None:
        from apinode_admin_cli.output.watch_table import watch_table

        self.polls += 1
        of = f"/{self.count}" if self.count else ""
        # A line of its own, not the table's title: a title wraps to the table's width.
        head = (
            f"{self.target} · poll {self.polls}{of} · {time.strftime('%H:%M:%S')} · "
            f"every {self.interval:g} s" + ("" if self.count else " · Ctrl-C to stop")
        )
        self.screen.show(head, watch_table(self.watch))
