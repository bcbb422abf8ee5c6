"""Ctrl-C while nodes run (issue 22 item 3): every node's outcome is still reported."""

from __future__ import annotations

import signal
import threading
import time
from typing import Iterator

import pytest

from apinode_admin_cli.fleet import runner
from apinode_admin_cli.fleet.runner import (
    FAILED,
    OK,
    SKIPPED,
    NodesInterrupted,
    StillRunning,
    run_on_nodes,
)


@pytest.fixture
def terminal_ctrl_c() -> Iterator[None]:
    """Ctrl-C raising KeyboardInterrupt, as in a terminal: a shell that starts the suite in the
    background hands it Ctrl-C ignored, and Python then keeps it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX signals")
@pytest.mark.usefixtures("terminal_ctrl_c")
def test_a_stop_reports_finished_running_and_unstarted_nodes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner, "STOP_GRACE", 0.3)
    release = threading.Event()
    told: list[KeyboardInterrupt] = []

    main = threading.main_thread().ident
    assert main is not None

    def work(node: str) -> str:
        if node == "slow":
            # Ctrl-C once the nodes are under way (a timer could fire before the run starts
            # on a loaded machine, and the interrupt would then end the whole session).
            signal.pthread_kill(main, signal.SIGINT)
            release.wait(10)  # still under way when the grace ends
        else:
            time.sleep(0.1)  # ends within the grace
        return node

    try:
        with pytest.raises(NodesInterrupted) as caught:
            run_on_nodes(
                ["fast", "quick", "slow", "later"],
                work,
                parallel=3,
                on_stop=told.append,
            )
    except KeyboardInterrupt:
        pytest.fail("the interrupt escaped run_on_nodes")
    finally:
        release.set()
    outcomes = {o.node: o for o in caught.value.outcomes}
    assert outcomes["fast"].outcome == OK and outcomes["quick"].outcome == OK
    assert outcomes["slow"].outcome == FAILED
    assert isinstance(outcomes["slow"].error, StillRunning)
    assert outcomes["slow"].exit_code == 130
    assert outcomes["later"].outcome == SKIPPED
    assert len(told) == 1 and not isinstance(caught.value.stop, NodesInterrupted)
