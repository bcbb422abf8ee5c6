"""Watching metrics: deltas and rates between polls, changed metrics, nodes down, JSON lines."""

from __future__ import annotations

import json
import math
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import closed_port_uri

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
from apinode_admin_cli.errors import ConnectionFailure
from apinode_admin_cli.output.leaves import numeric_leaves
from apinode_admin_cli.watch import Reading, Watch, iso_time, poll


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def clock(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_numeric_leaves_are_finite_numbers_by_dotted_path() -> None:
    obj = {
        "a": {"b": 1, "ok": True, "s": "x", "n": None, "nan": float("nan"), "inf": float("inf")},
        "l": [2, {"c": 3.5}],
        "huge": 10**400,
        "a.b": 9,
    }
    assert numeric_leaves(obj) == {"a.b": 1, "a.ok": 1, "l.0": 2, "l.1.c": 3.5}


def test_deltas_and_rates_between_answers() -> None:
    watch = Watch()
    first = watch.record(None, 100.0, {"requests": 10, "latency": {"mean": 2.0}, "up": True})
    assert (first.changes, first.rates, first.changed()) == ({}, {}, [])

    second = watch.record(None, 104.0, {"requests": 30, "latency": {"mean": 1.0}, "up": True})
    assert second.previous_time == 100.0
    assert second.changes == {"requests": 20, "latency.mean": -1.0}
    assert second.rates == {"requests": 5.0, "latency.mean": -0.25, "up": 0.0}
    assert second.changed() == ["requests", "latency.mean"]

    third = watch.record(None, 105.0, {"requests": 30, "latency": {"mean": 1.0}, "errors": 1})
    assert third.changes == {}
    assert third.new == ("errors",)
    assert third.changed() == ["errors"]
    assert "up" not in third.metrics


def test_a_failed_poll_keeps_the_last_answer_for_the_next_rate() -> None:
    watch = Watch(["n1"])
    watch.record("n1", 10.0, {"requests": 0})
    down = watch.record("n1", 12.0, error="connection refused")
    assert (down.ok, down.metrics, down.rates) == (False, {}, {})
    assert watch.errors() == {"n1": "connection refused"}
    back = watch.record("n1", 20.0, {"requests": 50})
    assert back.rates == {"requests": 5.0}
    assert watch.errors() == {}


def test_rows_show_every_metric_first_then_those_that_ever_changed() -> None:
    watch = Watch()
    watch.record(None, 0.0, {"a": 1, "b": 1, "c": 1})
    assert [row.metric for row in watch.rows()] == ["a", "b", "c"]
    assert watch.rows()[0].cells[None].change is None

    watch.record(None, 2.0, {"a": 1, "b": 5, "c": 1})
    assert [row.metric for row in watch.rows()] == ["b"]
    cell = watch.rows()[0].cells[None]
    assert (cell.value, cell.change, cell.rate, cell.new) == (5, 4, 2.0, False)

    watch.record(None, 4.0, {"a": 2, "b": 5, "c": 1, "d": 0})
    assert [row.metric for row in watch.rows()] == ["b", "a", "d"]  # b stays, unchanged now
    cells = {row.metric: row.cells[None] for row in watch.rows()}
    assert (cells["b"].change, cells["b"].rate) == (0, 0.0)
    assert cells["d"].new
    assert len(watch.rows(only_changed=False)) == 4


def test_fleet_rows_have_a_cell_per_node_blank_where_down() -> None:
    watch = Watch(["paris", "lyon"])
    watch.record("paris", 0.0, {"r": 1})
    watch.record("lyon", 0.0, {"r": 7})
    watch.record("paris", 1.0, {"r": 3})
    watch.record("lyon", 1.0, error="timed out")
    (row,) = watch.rows()
    assert row.cells["paris"].rate == 2.0
    assert row.cells["lyon"].value is None


def test_json_line_is_strict_json_with_flattened_numbers() -> None:
    watch = Watch()
    watch.record("n1", 1_780_000_000.0, {"s": {"r": 1}, "bad": float("nan")})
    reading = watch.record("n1", 1_780_000_001.5, {"s": {"r": 4}, "bad": float("nan")})
    line = json.dumps(reading.json_line(), allow_nan=False)
    assert json.loads(line) == {
        "time": "2026-05-28T20:26:41.500Z",
        "node": "n1",
        "error": None,
        "metrics": {"s.r": 4},
        "rates": {"s.r": 2.0},
    }
    failed = Reading("n2", 1_780_000_000.0, error="refused").json_line()
    assert failed == {
        "time": iso_time(1_780_000_000.0),
        "node": "n2",
        "error": "refused",
        "metrics": {},
        "rates": {},
    }


def test_a_rate_too_large_for_a_float_is_left_out_not_infinity_or_a_crash() -> None:
    watch = Watch()
    watch.record(None, 100.0, {"f": -1.7e308, "i": -(10**308), "ok": 1})
    reading = watch.record(None, 100.5, {"f": 1.7e308, "i": 10**308, "ok": 2})
    assert reading.rates == {"ok": 2.0}
    assert reading.changes == {"f": math.inf, "i": 2 * 10**308, "ok": 1}
    json.dumps(reading.json_line(), allow_nan=False)


def test_poll_goes_on_when_a_node_fails_and_stops_after_count() -> None:
    fake = FakeTime()
    answers = iter([{"r": 0}, {"r": 10}, {"r": 30}])

    def broken() -> Any:
        raise ConnectionFailure("Cannot connect to http://127.0.0.1:9: connection refused")

    seen: list[list[Reading]] = []
    watch = poll(
        [("good", lambda: next(answers)), ("bad", broken)],
        seen.append,
        interval=5,
        count=3,
        clock=fake.clock,
        ticks=fake.clock,
        sleep=fake.sleep,
    )
    assert [[r.node for r in readings] for readings in seen] == [["good", "bad"]] * 3
    assert [readings[0].rates for readings in seen] == [{}, {"r": 2.0}, {"r": 4.0}]
    assert all(
        readings[1].error == "Cannot connect to http://127.0.0.1:9: connection refused"
        for readings in seen
    )
    assert fake.sleeps == [5, 5]  # none after the last poll
    assert watch.errors() == {"bad": "Cannot connect to http://127.0.0.1:9: connection refused"}


def test_a_slow_poll_starts_the_next_at_once_without_a_burst() -> None:
    fake = FakeTime()
    durations = iter([7.0, 1.0, 1.0])

    def fetch() -> Any:
        fake.now += next(durations)
        return {}

    poll(
        [(None, fetch)],
        lambda readings: None,
        interval=5,
        count=3,
        clock=fake.clock,
        ticks=fake.clock,
        sleep=fake.sleep,
    )
    assert fake.sleeps == [0.0, 4.0]


def test_an_unexpected_error_is_not_taken_for_a_node_down() -> None:
    def buggy() -> Any:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        poll([(None, buggy)], lambda readings: None, interval=1, count=1)


def test_ctrl_c_ends_the_poll_with_keyboard_interrupt() -> None:
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    seen: list[list[Reading]] = []
    with pytest.raises(KeyboardInterrupt):
        poll([("a", dict), ("b", dict)], seen.append, interval=1, sleep=interrupted)
    assert len(seen) == 1


def test_watch_an_emulator_receiving_traffic_with_a_node_down(
    emulator: Any, make_archive: Callable[..., Path]
) -> None:
    admin = APINodeAdminClient(emulator.uri, emulator.admin_key)
    admin.create_service("churn")
    admin.service("churn").import_generation_from_archive(str(make_archive("v1")))
    admin.service("churn").switch_to_newest()
    down = APINodeAdminClient(closed_port_uri(), "key", retries=0, timeout=2)
    fake = FakeTime()
    user = APINodeClient(emulator.uri, "churn")
    sent = iter([4, 6])

    def traffic(seconds: float) -> None:
        # The node's counters move while the watch sleeps between polls.
        for i in range(next(sent)):
            user.predict_record("score", {"i": i})
        fake.sleep(seconds)

    lines: list[str] = []

    def on_poll(readings: list[Reading]) -> None:
        lines.extend(json.dumps(r.json_line(), allow_nan=False) for r in readings)

    poll(
        [("emu", admin.get_metrics), ("gone", down.get_metrics)],
        on_poll,
        interval=2,
        count=3,
        clock=fake.clock,
        ticks=fake.clock,
        sleep=traffic,
    )
    user.close()
    objects = [json.loads(line) for line in lines]
    emu = [o for o in objects if o["node"] == "emu"]
    gone = [o for o in objects if o["node"] == "gone"]
    assert len(emu) == len(gone) == 3
    assert [o["rates"].get("services.churn.requests") for o in emu] == [None, None, 3.0]
    assert emu[1]["metrics"]["services.churn.requests"] == 4  # new in the second poll
    assert emu[2]["metrics"]["services.churn.endpoints.score.generations.v1"] == 10
    assert emu[1]["rates"]["admin.requests"] > 0  # the watch's own GET metrics count
    assert all(o["error"] and o["metrics"] == {} for o in gone)


def test_a_node_named_none_is_a_single_node_watch() -> None:
    watch = poll([(None, lambda: {"x": 1})], lambda r: None, count=1, interval=0)
    assert watch.nodes == [None]
    assert list(watch.latest) == [None]


def test_negative_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="interval"):
        poll([(None, dict)], lambda r: None, interval=-1, count=1)


def test_a_wall_clock_stepped_back_does_not_stall_the_watch() -> None:
    """Polls follow a monotonic clock; the wall clock only stamps the readings (issue 22, 17)."""
    steady = FakeTime(start=100.0)
    wall = {"now": 1_780_000_000.0}
    polls = iter(range(10))

    def fetch() -> Any:
        if next(polls) == 1:
            wall["now"] -= 3600  # NTP steps the wall clock an hour back
        return {"r": 1}

    def sleep(seconds: float) -> None:
        steady.sleep(seconds)
        wall["now"] += seconds

    seen: list[list[Reading]] = []
    poll(
        [(None, fetch)],
        seen.append,
        interval=2,
        count=4,
        clock=lambda: wall["now"],
        sleep=sleep,
        ticks=steady.clock,
    )
    assert steady.sleeps == [2, 2, 2]  # not 3602 after the step
    assert len(seen) == 4
    assert seen[2][0].time < seen[0][0].time  # the readings still carry the wall clock
