"""Watch the metrics of one node or a fleet: changes, deltas and rates between polls.

Library code for ``metrics watch``: no terminal here. The CLI gives one fetch callback per node
to :func:`poll`, prints :meth:`Reading.json_line` off a terminal, and shows
:func:`apinode_admin_cli.output.watch_table.watch_table` in a live view on one.

Decisions:

- A metric is a number of the node's answer under its dotted path
  (:func:`~apinode_admin_cli.output.leaves.numeric_leaves`: booleans as 1/0, list items by
  index, NaN and infinities left out so every line is strict JSON).
- Deltas and rates compare with the node's previous *answer*: a poll that failed in between
  does not reset them, the rate covers the whole gap. A value that went down (a counter reset
  by a restart) gives a negative delta and rate, as measured.
- The live table keeps a metric once it has changed, so rows do not blink in and out between
  polls; until a node has answered twice there is nothing to compare, and every metric shows.
"""

from __future__ import annotations

import math
import time as _time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Sequence

from apinode_admin_cli.errors import ApinodeAdminError, FleetFailure
from apinode_admin_cli.output.leaves import Number, numeric_leaves

Fetch = Callable[[], Any]
FETCH_ERRORS: tuple[type[BaseException], ...] = (ApinodeAdminError, OSError)


@dataclass(frozen=True)
class Reading:
    """One poll of one node: its numbers, or why it did not answer, compared with the last."""

    node: Optional[str]
    time: float
    metrics: dict[str, Number] = field(default_factory=dict)
    error: Optional[str] = None
    previous_time: Optional[float] = None
    changes: dict[str, Number] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)
    new: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the node answered."""
        return self.error is None

    def changed(self) -> list[str]:
        """Metrics whose value differs from the previous answer, or that were not in it."""
        if self.previous_time is None:
            return []
        return [name for name in self.metrics if name in self.changes or name in self.new]

    def json_line(self) -> dict[str, Any]:
        """``{"time", "node", "error", "metrics", "rates"}``, the line written off a terminal."""
        return {
            "time": iso_time(self.time),
            "node": self.node,
            "error": self.error,
            "metrics": dict(self.metrics),
            "rates": dict(self.rates),
        }


@dataclass(frozen=True)
class Cell:
    """One node's value of one metric in the live table; None where there is nothing to show."""

    value: Optional[Number]
    change: Optional[Number]
    rate: Optional[float]
    new: bool = False


@dataclass(frozen=True)
class Row:
    """One metric of the live table, with a cell per node (key None for a single node)."""

    metric: str
    cells: dict[Optional[str], Cell]


class Watch:
    """The state of a watch: the last answer of each node and the metrics seen changing."""

    def __init__(self, nodes: Sequence[Optional[str]] = ()) -> None:
        self.nodes: list[Optional[str]] = list(nodes)
        self.latest: dict[Optional[str], Reading] = {}
        self._answers: dict[Optional[str], Reading] = {}
        self._changing: dict[str, None] = {}  # an ordered set

    def record(
        self, node: Optional[str], time: float, metrics: Any = None, error: Optional[str] = None
    ) -> Reading:
        """Compare a node's answer (or its failure, when ``error`` is given) with its last one."""
        if node not in self.nodes:
            self.nodes.append(node)
        if error is not None:
            reading = Reading(node, time, error=error)
            self.latest[node] = reading
            return reading
        numbers = numeric_leaves(metrics)
        before = self._answers.get(node)
        if before is None:
            reading = Reading(node, time, numbers)
        else:
            elapsed = time - before.time
            changes: dict[str, Number] = {}
            rates: dict[str, float] = {}
            for name, value in numbers.items():
                if name not in before.metrics:
                    continue
                delta = value - before.metrics[name]
                if delta:
                    changes[name] = delta
                if elapsed > 0:
                    rate = _rate(delta, elapsed)
                    if rate is not None:
                        rates[name] = rate
            new = tuple(name for name in numbers if name not in before.metrics)
            reading = Reading(node, time, numbers, None, before.time, changes, rates, new)
            for name in reading.changed():
                self._changing.setdefault(name)
        self._answers[node] = reading
        self.latest[node] = reading
        return reading

    def rows(self, only_changed: bool = True) -> list[Row]:
        """The live table's rows: metrics that changed since the watch began, or all of them."""
        compared = any(r.previous_time is not None for r in self._answers.values())
        if only_changed and compared:
            names = list(self._changing)
        else:
            names = list(dict.fromkeys(n for r in self._answers.values() for n in r.metrics))
        rows = []
        for name in names:
            cells = {node: self._cell(node, name) for node in self.nodes}
            rows.append(Row(name, cells))
        return rows

    def errors(self) -> dict[Optional[str], str]:
        """The nodes whose last poll failed, with why."""
        return {node: r.error for node, r in self.latest.items() if r.error is not None}

    def _cell(self, node: Optional[str], name: str) -> Cell:
        reading = self.latest.get(node)
        if reading is None or not reading.ok or name not in reading.metrics:
            return Cell(None, None, None)
        return Cell(
            reading.metrics[name],
            reading.changes.get(name, 0) if reading.previous_time is not None else None,
            reading.rates.get(name),
            name in reading.new,
        )


def poll(
    fetchers: Sequence[tuple[Optional[str], Fetch]],
    on_poll: Callable[[list[Reading]], None],
    *,
    interval: float = 2.0,
    count: Optional[int] = None,
    watch: Optional[Watch] = None,
    clock: Callable[[], float] = _time.time,
    sleep: Callable[[float], None] = _time.sleep,
    errors: tuple[type[BaseException], ...] = FETCH_ERRORS,
    ticks: Callable[[], float] = _time.monotonic,
) -> Watch:
    """Poll every node (concurrently) each ``interval`` seconds, ``count`` times or forever.

    ``on_poll`` gets each poll's readings in the order of ``fetchers``. A fetch raising one of
    ``errors`` is a node that did not answer; the watch goes on. Ctrl-C raises
    KeyboardInterrupt out of here, for the CLI to end the watch with exit 0.

    ``clock`` (the wall clock) only stamps the readings; the polls are scheduled by ``ticks``
    (a monotonic clock), so that a wall clock stepped back (NTP, a VM resumed) cannot stall
    the watch, nor a step forward make it poll in a burst.
    """
    if interval < 0:
        raise ValueError("interval must be zero or more seconds")
    watch = watch if watch is not None else Watch([name for name, _ in fetchers])
    pool = ThreadPoolExecutor(max_workers=min(16, len(fetchers))) if len(fetchers) > 1 else None
    polls = 0
    try:
        next_at = ticks()
        while count is None or polls < count:
            if pool is None:
                outcomes = [_fetch(fetch, clock, errors) for _, fetch in fetchers]
            else:
                futures = [pool.submit(_fetch, fetch, clock, errors) for _, fetch in fetchers]
                outcomes = [future.result() for future in futures]
            readings = [
                watch.record(name, moment, metrics, error)
                for (name, _), (moment, metrics, error) in zip(fetchers, outcomes)
            ]
            polls += 1
            on_poll(readings)
            if count is not None and polls >= count:
                break
            next_at += interval
            now = ticks()
            # A poll slower than the interval starts the next one at once, not a burst after.
            next_at = max(next_at, now)
            sleep(next_at - now)
    finally:
        if pool is not None:
            # After Ctrl-C, do not wait for polls still in flight (their timeouts bound them).
            pool.shutdown(wait=False, cancel_futures=True)
    return watch


def _fetch(
    fetch: Fetch, clock: Callable[[], float], errors: tuple[type[BaseException], ...]
) -> tuple[float, Any, Optional[str]]:
    try:
        metrics = fetch()
    except errors as exc:
        return clock(), None, error_text(exc)
    return clock(), metrics, None


def _rate(delta: Number, elapsed: float) -> Optional[float]:
    """``delta / elapsed``, or None when no float holds it: JSON lines have no Infinity."""
    try:
        rate = delta / elapsed
    except OverflowError:  # an int delta beyond a float, from values near +-1.8e308
        return None
    return rate if math.isfinite(rate) else None


def error_text(exc: BaseException) -> str:
    """One line saying why a node did not answer."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def iso_time(seconds: float) -> str:
    """UTC ISO-8601 with milliseconds: ``2026-05-01T12:00:03.250Z``."""
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class WatchFailure(FleetFailure):
    """A node missed polls of a watch of a set length; the exit code is its last error's."""


class NodeDown(ApinodeAdminError):
    """One poll of one node failed; the message is scrubbed of every key."""
