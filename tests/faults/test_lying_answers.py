"""Answers that lie: a 2xx without what the command needs, non-JSON numbers, deep nesting."""

from __future__ import annotations

from typing import Any

import pytest
from support.cli import RunCli, check
from support.faults import assert_failed

ADMIN = "/admin/api"
WRONG = "the node answered 2xx but not the expected JSON"


@pytest.mark.parametrize(
    ("command", "method", "path", "body", "missing"),
    [
        (("keys", "create"), "POST", "keys", "{}", "'key'"),
        (("admin-key-create", "--label", "ci"), "POST", "keys", "{}", "'key'"),
        (("admin-key-create", "--output", "json"), "POST", "keys", "[]", "array"),
        (
            ("services", "switch-to-newest", "s"),
            "POST",
            "services/s/actions/switchToNewest",
            "{}",
            "'switchedToGeneration'",
        ),
        (
            ("services", "switch-to-newest", "s"),
            "POST",
            "services/s/actions/switchToNewest",
            '["x"]',
            "array",
        ),
        (
            ("service-switch-to-newest", "s"),
            "POST",
            "services/s/actions/switchToNewest",
            "{}",
            "'switchedToGeneration'",
        ),
        (("services", "list"), "GET", "services", "[1, 2]", "item 1"),
        (("services-list",), "GET", "services", '"services"', "string"),
        (
            ("generations", "list", "s"),
            "GET",
            "services/s/generations",
            '{"generations": [2]}',
            "item 1",
        ),
        (("keys", "list"), "GET", "keys", "[null]", "null"),
        (("metrics", "show"), "GET", "metrics", "[]", "array"),
    ],
)
def test_a_2xx_without_what_the_command_needs_is_exit_1(
    node_cli: RunCli,
    emulator: Any,
    command: tuple[str, ...],
    method: str,
    path: str,
    body: str,
    missing: str,
) -> None:
    check(node_cli("services", "create", "s"))
    fault = {"contentType": "application/json"}
    emulator.add_fault(method=method, path=f"{ADMIN}/{path}", status=200, body=body, **fault)
    first = assert_failed(node_cli(*command), 1, WRONG, missing)
    assert "None" not in first


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize(
    ("command", "method", "path"),
    [
        (("metrics", "show", "-o", "json"), "GET", "metrics"),
        (("services", "list"), "GET", "services"),
        (("services", "clean-unused", "-y"), "DELETE", "services-clean-unused"),
    ],
)
def test_nan_and_infinity_from_the_node_are_exit_1(
    node_cli: RunCli, emulator: Any, command: tuple[str, ...], method: str, path: str, constant: str
) -> None:
    body = f'[{{"serviceId": {constant}}}]' if path == "services" else f'{{"x": {constant}}}'
    emulator.add_fault(
        method=method, path=f"{ADMIN}/{path}", status=200, body=body, contentType="application/json"
    )
    assert_failed(node_cli(*command), 1, "invalid JSON")


DEEP = '{"message": "x", "detail": ' + "[" * 100_000 + "]" * 100_000 + "}"


@pytest.mark.parametrize(("status", "code"), [(404, 5), (400, 1), (409, 6), (500, 7)])
def test_a_deeply_nested_error_body_maps_by_status(
    node_cli: RunCli, emulator: Any, status: int, code: int
) -> None:
    emulator.add_fault(
        method="GET",
        path=f"{ADMIN}/services",
        status=status,
        body=DEEP,
        count=3,
        contentType="application/json",
    )
    first = assert_failed(node_cli("services", "list"), code, "nested too deeply")
    assert "unexpected" not in first


def test_a_deeply_nested_2xx_is_exit_1(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(
        method="GET",
        path=f"{ADMIN}/metrics",
        status=200,
        body="[" * 100_000 + "]" * 100_000,
        contentType="application/json",
    )
    assert_failed(node_cli("metrics", "show"), 1, "invalid JSON", "nested too deeply")
