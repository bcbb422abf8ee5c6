"""format_value, flatten and get_path: the text every renderer shares."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from apinode_admin_cli.output import (
    KINDS,
    flat_records,
    flatten,
    format_value,
    get_path,
)
from apinode_admin_cli.output import columns as cols


@pytest.fixture
def paris(local_tz: Callable[[str], None]) -> None:
    local_tz("Europe/Paris")


@pytest.mark.parametrize("kind", KINDS)
def test_none_is_empty_for_every_kind(kind: str) -> None:
    assert format_value(None, kind) == ""


@pytest.mark.parametrize("kind", ["text", "bool", "json"])
def test_booleans(kind: str) -> None:
    assert (format_value(True, kind), format_value(False, kind)) == ("true", "false")


@pytest.mark.usefixtures("paris")
def test_epoch_ms_is_local_iso_with_offset() -> None:
    assert format_value(1795000000000, "epoch_ms") == "2026-11-18T12:06:40+01:00"
    assert format_value(1783000000123, "epoch_ms") == "2026-07-02T15:46:40+02:00"  # summer time


def test_epoch_ms_in_utc(local_tz: Callable[[str], None]) -> None:
    local_tz("UTC")
    assert format_value(0, "epoch_ms") == "1970-01-01T00:00:00+00:00"


@pytest.mark.parametrize("value", ["2026-12-01T00:00:00Z", "never", ""])
def test_epoch_ms_passes_strings_through(value: str) -> None:
    assert format_value(value, "epoch_ms") == value


def test_epoch_ms_out_of_range_shows_the_number() -> None:
    assert format_value(10**20, "epoch_ms") == str(10**20)


@pytest.mark.parametrize(
    "share, text",
    [(0.5, "50%"), (1 / 3, "33.3%"), (1, "100%"), (0, "0%"), (0.125, "12.5%"), (0.0001, "<0.1%")],
)
def test_share(share: float, text: str) -> None:
    assert format_value(share, "share") == text


def test_secret_is_masked() -> None:
    assert format_value("supersecretkey1234", "secret") == "****1234"
    assert format_value("short", "secret") == "****"


def test_json_and_nested_values_are_compact() -> None:
    assert format_value({"a": [1, 2], "é": None}, "json") == '{"a":[1,2],"é":null}'
    assert format_value([1, "x"], "text") == '[1,"x"]'
    assert format_value(3, "json") == "3"
    assert format_value("plain", "json") == "plain"
    assert format_value(2.5, "text") == "2.5"


def test_flatten_nested_metrics_in_server_order() -> None:
    metrics: dict[str, Any] = {
        "z": 1,
        "services": {"s1": {"requests": 10, "errors": 0}, "s2": {"requests": 3}},
        "tags": ["a", "b"],
        "pools": [{"name": "p", "size": 2}, {"name": "q"}],
        "empty": {},
        "none": None,
    }
    assert flatten(metrics) == [
        ("z", 1),
        ("services.s1.requests", 10),
        ("services.s1.errors", 0),
        ("services.s2.requests", 3),
        ("tags", '["a","b"]'),
        ("pools.0.name", "p"),
        ("pools.0.size", 2),
        ("pools.1.name", "q"),
        ("empty", {}),
        ("none", None),
    ]


def test_flatten_edges() -> None:
    assert flatten({}) == []
    assert flatten(5) == [("", 5)]
    assert flatten([{"a": 1}]) == [("0.a", 1)]
    assert flatten({"a": 1}, prefix="root") == [("root.a", 1)]
    assert flat_records({"a": {"b": 1}}, "name") == [{"name": "a.b", "value": 1}]


def test_get_path() -> None:
    record = {"a": {"b": [{"c": 3}]}, "x.y": 1}
    assert get_path(record, "a.b.0.c") == 3
    assert get_path(record, "x.y") == 1
    assert get_path(record, "a.nope") is None
    assert get_path(record, "a.b.5") is None


def test_declared_columns() -> None:
    everything = [cols.SERVICES, cols.GENERATIONS, cols.KEYS, cols.METRICS, cols.SUMMARY]
    assert all(col.kind in KINDS for group in everything for col in group)
    assert [c.title for c in cols.SERVICES] == ["SERVICE", "ENABLED", "ERROR"]
    assert [c.title for c in cols.GENERATIONS] == ["GENERATION", "CREATED", "MOUNTED", "MAPPED %"]
    assert [c.title for c in cols.KEYS] == [
        "ID",
        "KEY",
        "LABEL",
        "DESCRIPTION",
        "CREATED BY",
        "EXPIRY",
    ]
    assert {c.key: c.kind for c in cols.KEYS}["key"] == "secret"


@pytest.mark.usefixtures("paris")
def test_flat_records_show_timestamps_as_local_time_and_leave_counts_alone() -> None:
    summary = {
        "since": 1795000000000,
        "model": {"importedOn": 1795000000000, "sizeBytes": 1795000000000},
        "admin": {"requests": 12, "createdOn": 5},
    }
    assert flat_records(summary) == [
        {"key": "since", "value": "2026-11-18T12:06:40+01:00"},
        {"key": "model.importedOn", "value": "2026-11-18T12:06:40+01:00"},
        {"key": "model.sizeBytes", "value": 1795000000000},
        {"key": "admin.requests", "value": 12},
        {"key": "admin.createdOn", "value": 5},
    ]
