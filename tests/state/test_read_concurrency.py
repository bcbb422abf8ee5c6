"""``for_each_service``: the one concurrent read of a node's services (state, fleet status...).

Its fetches are plain functions here: what is checked is the order of the results, the bound on
reads at once, which failure is raised and when, and the context each fetch runs in.
"""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Any

import pytest

from apinode_admin_cli.state.current import for_each_service

NODE: contextvars.ContextVar[str] = contextvars.ContextVar("node", default="-")


def test_results_come_in_service_order_whatever_order_the_fetches_end_in() -> None:
    ids = [f"s{i}" for i in range(40)]

    def fetch(_client: Any, sid: str) -> str:
        time.sleep(0.002 * (40 - int(sid[1:])) / 40)  # the last ones end first
        return sid.upper()

    assert for_each_service(None, ids, fetch, workers=8) == [s.upper() for s in ids]  # type: ignore[arg-type]


def test_no_more_than_workers_fetches_run_at_once() -> None:
    running, most = 0, 0
    lock = threading.Lock()

    def fetch(_client: Any, sid: str) -> str:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.005)
        with lock:
            running -= 1
        return sid

    assert len(for_each_service(None, [str(i) for i in range(30)], fetch, workers=4)) == 30  # type: ignore[arg-type]
    assert most == 4


def test_the_first_failure_in_service_order_is_raised_once_every_fetch_ended() -> None:
    ended: list[str] = []

    def fetch(_client: Any, sid: str) -> str:
        if sid == "b":
            time.sleep(0.02)  # fails after "d" has failed
            ended.append(sid)
            raise KeyError(sid)
        if sid == "d":
            ended.append(sid)
            raise ValueError(sid)
        time.sleep(0.01)
        ended.append(sid)
        return sid

    with pytest.raises(KeyError):
        for_each_service(None, list("abcdef"), fetch, workers=3)  # type: ignore[arg-type]
    assert sorted(ended) == list("abcdef")


def test_each_fetch_runs_in_a_copy_of_the_callers_context() -> None:
    seen: list[str] = []

    def fetch(_client: Any, sid: str) -> str:
        seen.append(NODE.get())
        NODE.set(f"changed by {sid}")  # stays in that fetch's own copy
        return sid

    token = NODE.set("node-7")
    try:
        for_each_service(None, [str(i) for i in range(20)], fetch, workers=4)  # type: ignore[arg-type]
        assert NODE.get() == "node-7"
    finally:
        NODE.reset(token)
    assert seen == ["node-7"] * 20


def test_ctrl_c_starts_no_further_read_and_waits_for_those_under_way() -> None:
    import os
    import signal

    started: list[str] = []
    ended: list[str] = []

    def fetch(_client: Any, sid: str) -> str:
        started.append(sid)
        if sid == "0":
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the reads run
        time.sleep(0.05)
        ended.append(sid)
        return sid

    # A terminal's Ctrl-C, whatever this process inherited (a background job ignores it).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            for_each_service(None, [str(i) for i in range(40)], fetch, workers=2)  # type: ignore[arg-type]
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(started) < 10
    assert sorted(ended) == sorted(started)  # no read was left running
