"""Run one operation on every node of a fleet, concurrently, and report each node's outcome.

Library code: no click, no printing. The caller gives the node names in fleet order, the
work to do on one node, how many nodes may run at once, and a callback that hears each node
as it finishes. A node that fails never hides the others: nodes already started finish and
are reported; nodes not started yet are skipped, so ``parallel=1`` is a rolling change that
stops at the first failure, in fleet order.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Generic, Optional, Sequence, TypeVar

from apinode_admin_cli.errors import ApinodeAdminError, ExitCode

T = TypeVar("T")

OK = "ok"
FAILED = "failed"
SKIPPED = "skipped"
# Nodes run at once by default: enough for a fleet of a few hundred nodes to cost one round
# trip. Each running node holds a thread and its sockets; the open-file limit bounds it too.
MAX_PARALLEL = 256
# Descriptors left to the rest of the process (config, key files, output, the node's own
# connections beyond the first).
_RESERVED_FILES = 64


def parallel_limit(parallel: Optional[int], nodes: int) -> int:
    """How many of ``nodes`` run at once.

    ``parallel`` when given, else all of them up to MAX_PARALLEL; never more than the open-file
    limit leaves room for (two descriptors per running node).
    """
    wanted = parallel or min(nodes, MAX_PARALLEL)
    return max(1, min(wanted, nodes, _file_bound()))


def requests_per_node(running: int, wanted: int) -> int:
    """Requests each of ``running`` nodes may have in flight at once.

    ``wanted``, or fewer when the open-file limit cannot give a socket to each of them on
    every node at the same time.
    """
    return max(1, min(wanted, (_file_bound() * 2) // max(running, 1)))


def _file_bound() -> int:
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):  # no such limit on this system
        return MAX_PARALLEL
    if soft == resource.RLIM_INFINITY or soft <= 0:
        return MAX_PARALLEL * 4
    return max(1, (soft - _RESERVED_FILES) // 2)


class NodeOutcome(Generic[T]):
    """What happened on one node: ``ok`` with a result, ``failed`` with an error, or skipped."""

    __slots__ = ("elapsed", "error", "node", "outcome", "result")

    def __init__(
        self,
        node: str,
        outcome: str,
        result: Optional[T] = None,
        error: Optional[BaseException] = None,
        elapsed: float = 0.0,
    ) -> None:
        self.node = node
        self.outcome = outcome
        self.result = result
        self.error = error
        self.elapsed = elapsed

    @property
    def exit_code(self) -> int:
        """The exit code this node would have had alone."""
        if self.outcome != FAILED:
            return int(ExitCode.OK)
        if isinstance(self.error, ApinodeAdminError):
            return int(self.error.exit_code)
        return int(ExitCode.FAILURE)

    def __repr__(self) -> str:
        return f"NodeOutcome({self.node!r}, {self.outcome!r})"


def run_on_nodes(
    nodes: Sequence[str],
    work: Callable[[str], T],
    parallel: Optional[int] = None,
    on_done: Optional[Callable[[NodeOutcome[T]], None]] = None,
    catch: tuple[type[BaseException], ...] = (Exception,),
    on_stop: Optional[Callable[[KeyboardInterrupt], None]] = None,
) -> list[NodeOutcome[T]]:
    """Run ``work(node)`` on every node, at most ``parallel`` at once; outcomes in node order.

    An exception of a type in ``catch`` fails that node; anything else (a bug, Ctrl-C in the
    caller) propagates once the nodes already started have finished or the caller gives up.
    ``on_done`` is called once per node (skipped ones included), one call at a time.

    Ctrl-C (or :class:`~apinode_admin_cli.errors.Terminated`) in the caller: ``on_stop`` is
    told (so that the work can stop between two requests), the nodes under way get up to
    STOP_GRACE seconds to finish, and :class:`NodesInterrupted` carries every node's outcome:
    finished, still under way (failed with :class:`StillRunning`: it may have changed the
    node) or never started (skipped).
    """
    width = parallel_limit(parallel, len(nodes))
    outcomes: dict[str, NodeOutcome[T]] = {}
    lock = threading.Lock()
    slots = threading.Semaphore(width)
    failed = threading.Event()
    unexpected: list[BaseException] = []
    # Set as each node's work ends: after a join interrupted by Ctrl-C, a thread's is_alive()
    # can no longer be trusted (a CPython quirk), these can.
    ended = {node: threading.Event() for node in nodes}
    # Set once a stop signal arrived: a thread that had not begun its work by then skips it.
    stopping = threading.Event()

    def record(outcome: NodeOutcome[T]) -> None:
        with lock:
            outcomes[outcome.node] = outcome
            if on_done is not None:
                on_done(outcome)

    def run(node: str) -> None:
        start = time.monotonic()
        try:
            if stopping.is_set():
                record(NodeOutcome(node, SKIPPED))
                return
            result = work(node)
        except catch as exc:
            failed.set()
            record(NodeOutcome(node, FAILED, error=exc, elapsed=time.monotonic() - start))
        except BaseException as exc:  # a bug: the caller must see it, not a node failure
            failed.set()
            unexpected.append(exc)
            record(NodeOutcome(node, FAILED, error=exc, elapsed=time.monotonic() - start))
        else:
            record(NodeOutcome(node, OK, result=result, elapsed=time.monotonic() - start))
        finally:
            slots.release()
            ended[node].set()

    threads: list[threading.Thread] = []
    try:
        for index, node in enumerate(nodes):
            slots.acquire()
            # The first `width` nodes start together; a later one only once a slot frees up,
            # and not at all after a failure.
            if index >= width and failed.is_set():
                slots.release()
                record(NodeOutcome(node, SKIPPED))
                continue
            # Daemon threads: Ctrl-C in the caller must not wait for a slow node to answer.
            thread = threading.Thread(target=run, args=(node,), name=f"node-{node}", daemon=True)
            # Listed before it starts: a stop landing between the two must still wait for it.
            threads.append(thread)
            thread.start()
        for thread in threads:
            thread.join()
    except KeyboardInterrupt as stop:
        stopping.set()
        _interrupted(nodes, threads, ended, outcomes, lock, stop, on_stop)
    if unexpected:
        raise unexpected[0]
    return [outcomes[node] for node in nodes]


# Seconds the nodes under way get to finish their request after Ctrl-C, before the report.
STOP_GRACE = 5.0


class StillRunning(ApinodeAdminError):
    """The node's work was under way when the run was stopped: it may have changed the node."""

    def __init__(self, stop: KeyboardInterrupt) -> None:
        super().__init__(
            "stopped while its request was under way: the node may have applied it",
            hint="check what the node serves before trying again",
        )
        from apinode_admin_cli.errors import Terminated

        self.exit_code = (
            ExitCode.TERMINATED if isinstance(stop, Terminated) else ExitCode.INTERRUPTED
        )


class NodesInterrupted(KeyboardInterrupt):
    """A stop signal ended a run over nodes; ``outcomes`` are every node's, in node order."""

    def __init__(self, outcomes: list[NodeOutcome[object]], stop: KeyboardInterrupt) -> None:
        super().__init__()
        self.outcomes = outcomes
        self.stop = stop


def _interrupted(
    nodes: Sequence[str],
    threads: list[threading.Thread],
    ended: dict[str, threading.Event],
    outcomes: dict[str, NodeOutcome[T]],
    lock: threading.Lock,
    stop: KeyboardInterrupt,
    on_stop: Optional[Callable[[KeyboardInterrupt], None]],
) -> None:
    from apinode_admin_cli.rollout.signals import hold

    hold()  # a second signal must not cut the report short
    if on_stop is not None:
        on_stop(stop)
    deadline = time.monotonic() + STOP_GRACE
    started = {t.name[len("node-") :] for t in threads}
    for node in started:
        ended[node].wait(max(0.0, deadline - time.monotonic()))
    with lock:
        found = dict(outcomes)
    report: list[NodeOutcome[object]] = []
    for node in nodes:
        if node in found:
            report.append(found[node])  # type: ignore[arg-type]
        elif node in started:
            report.append(NodeOutcome(node, FAILED, error=StillRunning(stop)))
        else:
            report.append(NodeOutcome(node, SKIPPED))
    raise NodesInterrupted(report, stop) from None


__all__ = [
    "STOP_GRACE",
    "NodesInterrupted",
    "StillRunning",
    "FAILED",
    "MAX_PARALLEL",
    "OK",
    "SKIPPED",
    "NodeOutcome",
    "parallel_limit",
    "requests_per_node",
    "run_on_nodes",
]
