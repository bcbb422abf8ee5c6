"""Run a plan's changes service by service, several services at once, reported in plan order.

Services are independent of each other on a node: each one's own changes (create, import,
preload, mapping or switch, enable or disable) run in plan order, one after the other, while
other services' changes run alongside, at most ``workers`` at once. Deletions (``--prune``)
only start once every other change is done, as they ran last one at a time. The first failure
stops what has not started; what is running finishes and is reported as it ended, so each
change is known as done, failed or not run, never "maybe".
"""

from __future__ import annotations

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional, Sequence

from apinode_admin_cli.state.model import Change

# What running one change gives: True when it worked, False when it failed (and stops the run).
RunOne = Callable[[int], bool]


def run_lanes(changes: Sequence[Change], run_one: RunOne, workers: int) -> None:
    """Call ``run_one(index)`` for every change, service by service, until one fails.

    One worker runs the changes in plan order, one after the other.
    """
    if workers <= 1:
        for index in range(len(changes)):
            if not run_one(index):
                return
        return
    stopped = threading.Event()
    stages = [
        [i for i, change in enumerate(changes) if change.action != "delete"],
        [i for i, change in enumerate(changes) if change.action == "delete"],
    ]
    for stage in stages:
        if stopped.is_set():
            return
        lanes: dict[str, list[int]] = {}
        for index in stage:
            lanes.setdefault(changes[index].service, []).append(index)
        _run_stage(list(lanes.values()), run_one, workers, stopped)


def _run_stage(
    lanes: list[list[int]], run_one: RunOne, workers: int, stopped: threading.Event
) -> None:
    def lane(indexes: list[int]) -> None:
        try:
            for index in indexes:
                if stopped.is_set() or not run_one(index):
                    stopped.set()
                    return
        except BaseException:
            stopped.set()
            raise

    if len(lanes) <= 1:
        for indexes in lanes:
            lane(indexes)
        return
    # Each lane runs in the caller's context (a fleet node's name for its -v log lines); a
    # context can be entered by one thread at a time, so each lane gets its own copy.
    caller = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=min(workers, len(lanes))) as pool:
        futures = [pool.submit(caller.copy().run, lane, indexes) for indexes in lanes]
        try:
            for future in futures:
                future.result()
        except BaseException:
            # Ctrl-C or a bug: no lane starts another change; running ones end on their own.
            stopped.set()
            raise


class InOrder:
    """Hands outcomes to a callback in plan order, one call at a time, as they complete."""

    def __init__(self, size: int, callback: Optional[Callable[[int], None]]) -> None:
        self._ready = [False] * size
        self._next = 0
        self._callback = callback
        self._lock = threading.Lock()

    def ready(self, index: int) -> None:
        """Change ``index`` has its outcome: report it, and those after it already ready."""
        with self._lock:
            self._ready[index] = True
            while self._next < len(self._ready) and self._ready[self._next]:
                if self._callback is not None:
                    self._callback(self._next)
                self._next += 1

    def skip_rest(self) -> None:
        """After a failure: report what completed behind a change that never ran."""
        with self._lock:
            for index in range(self._next, len(self._ready)):
                if self._ready[index] and self._callback is not None:
                    self._callback(index)
            self._next = len(self._ready)


__all__ = ["InOrder", "run_lanes"]
