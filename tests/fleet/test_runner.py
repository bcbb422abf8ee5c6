"""fleet.runner: how many nodes run at once, in which order outcomes come, what is skipped."""

from __future__ import annotations

import threading

from apinode_admin_cli.errors import ConnectionFailure
from apinode_admin_cli.fleet.runner import NodeOutcome, run_on_nodes


def test_parallel_caps_the_nodes_running_at_once() -> None:
    nodes = ["n1", "n2", "n3", "n4", "n5", "n6"]
    lock = threading.Lock()
    running, peak = [0], [0]
    # Two nodes must meet here: with a cap of 1 this times out, with a cap of 3 peak is 3.
    pair = threading.Barrier(2, timeout=10)

    def work(node: str) -> str:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        pair.wait()
        with lock:
            running[0] -= 1
        return node.upper()

    outcomes = run_on_nodes(nodes, work, parallel=2)
    assert peak[0] == 2
    assert [(o.node, o.outcome, o.result) for o in outcomes] == [
        (n, "ok", n.upper()) for n in nodes
    ]


def test_a_failure_skips_the_nodes_not_started_yet() -> None:
    heard: list[str] = []
    n2_reported = threading.Event()

    def work(node: str) -> None:
        if node == "n2":
            raise ConnectionFailure("connection refused")
        if node == "n1":
            # n1 ends only once n2's failure is known: no slot frees up before it.
            assert n2_reported.wait(10)

    def done(outcome: NodeOutcome[None]) -> None:
        heard.append(outcome.node)
        if outcome.node == "n2":
            n2_reported.set()

    outcomes = run_on_nodes(["n1", "n2", "n3", "n4"], work, parallel=2, on_done=done)
    # n1 and n2 start together; n3 and n4 wait for a slot, and n2 has failed by then.
    assert [o.outcome for o in outcomes] == ["ok", "failed", "skipped", "skipped"]
    assert outcomes[1].exit_code == 7
    assert sorted(heard) == ["n1", "n2", "n3", "n4"]
