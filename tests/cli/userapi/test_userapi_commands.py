"""forecast, predict-effect, run-function, sql-query, lookup, openapi: a table and -o json each."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check, connected
from support.userapi import SERVICE_KEY

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ExitCode

SALES = [
    {"date": "2024-01-01T00:00:00Z", "store": "A", "target": 10},
    {"date": "2024-01-02T00:00:00Z", "store": "A", "target": 12},
]


@pytest.fixture
def cli(shop_node: EmulatorHandle, run_cli: RunCli) -> RunCli:
    # The user API needs the URI only; no admin key, as a service's users would have.
    return connected(run_cli, shop_node.uri, "")


def table(result: Any) -> list[list[str]]:
    check(result)
    return [line.split("\t") for line in result.stdout.splitlines()]


def test_forecast_table_and_json(cli: RunCli, tmp_path: Path) -> None:
    rows = table(cli("forecast", "shop", "sales", json.dumps(SALES), "-o", "tsv"))
    assert rows[0] == ["SERIES", "TIME", "FORECAST", "Q0.05", "Q0.5", "Q0.95"]
    assert [r[:2] for r in rows[1:]] == [
        ["store=A", "2024-01-03T00:00:00.000000Z"],
        ["store=A", "2024-01-04T00:00:00.000000Z"],
    ]
    history = tmp_path / "history.csv"
    history.write_text("date,store,target\n2024-01-01T00:00:00Z,A,10\n", encoding="utf-8")
    result = cli("forecast", "shop", "sales", "--batch", str(history), "-o", "json")
    check(result)
    answer = json.loads(result.stdout)
    assert answer["apiContext"]["endpointId"] == "sales" and len(answer["results"]) == 2
    assert cli("forecast", "shop", "sales", "--input", json.dumps(SALES), "--json").exit_code == 0


def test_predict_effect_one_and_batch(cli: RunCli, tmp_path: Path) -> None:
    rows = table(cli("predict-effect", "shop", "uplift", "age=3", "-o", "tsv"))
    assert rows[0] == ["GENERATION", "EFFECT", "PROPENSITY"] and rows[1][0] == "v1"
    source = tmp_path / "people.csv"
    source.write_text("id,age\n1,30\n2,40\n", encoding="utf-8")
    result = cli("predict-effect", "shop", "uplift", "--batch", str(source), "-o", "csv")
    check(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "id,age,generation,predictedEffect,propensity,status,reason"
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2"]


def test_run_function_table_json_and_no_arguments(cli: RunCli) -> None:
    rows = table(cli("run-function", "shop", "score", "x=21", "y=z", "-o", "tsv"))
    assert rows == [["endpoint", "arguments", "emulated"], ["score", '{"x":21,"y":"z"}', "true"]]
    result = cli("run-function", "shop", "hello", "-o", "json")
    check(result)
    assert json.loads(result.stdout)["response"] == {"greeting": "hi"}
    missing = cli("run-function", "shop", "score", "y=1")
    check(missing, ExitCode.FAILURE)
    assert "Missing parameter 'x'" in missing.stderr and missing.stdout == ""


def test_sql_query_rows_under_their_columns(cli: RunCli) -> None:
    rows = table(cli("sql-query", "shop", "customers", "orders=3", "-o", "tsv"))
    assert rows == [["email", "name", "orders"], ["bob@x.io", "Bob", "3"]]
    result = cli("sql-query", "shop", "customers", "--input", '{"name": "Ann"}', "-o", "json")
    check(result)
    assert json.loads(result.stdout)["rows"] == [["ann@x.io", "Ann", "12"]]


def test_lookup_one_and_batch(cli: RunCli, tmp_path: Path) -> None:
    assert table(cli("lookup", "shop", "customer", "email=cat@x.io", "-o", "tsv")) == [
        ["name", "orders"],
        ["Cat", "7"],
    ]
    assert table(cli("lookup", "shop", "customer", "email=zed@x.io", "-o", "tsv")) == [
        ["IGNORED"],
        ["NOT_FOUND"],
    ]
    emails = tmp_path / "emails.jsonl"
    emails.write_text('{"email": "ann@x.io"}\n{"email": "zed@x.io"}\n', encoding="utf-8")
    result = cli("lookup", "shop", "customer", "--batch", str(emails), "-o", "jsonl")
    check(result, ExitCode.FAILURE)
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"email": "ann@x.io", "name": "Ann", "orders": 12, "status": "ok", "reason": None},
        {"email": "zed@x.io", "status": "ignored", "reason": "NOT_FOUND"},
    ]
    assert "1 of 2 rows failed or were ignored (first: NOT_FOUND)" in result.stderr


def test_openapi_lists_the_operations(cli: RunCli) -> None:
    rows = table(cli("openapi", "shop", "-o", "tsv"))
    assert rows[0] == ["METHOD", "PATH", "SUMMARY"]
    assert ["POST", "/public/api/v1/shop/score/run"] in [r[:2] for r in rows]
    result = cli("openapi", "shop", "--json")
    check(result)
    assert json.loads(result.stdout)["swagger"] == "2.0"


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("run-function", "shop", "churn", "a=1"), ExitCode.FAILURE, "STD_PREDICTION endpoint"),
        (("sql-query", "shop", "nope"), ExitCode.NOT_FOUND, "Endpoint 'nope' not found"),
        (("lookup", "shop", "customer"), ExitCode.USAGE, "no keys given"),
        (("lookup", "shop", "customer", "email"), ExitCode.USAGE, "malformed key"),
        (("forecast", "shop", "sales", "a=1"), ExitCode.USAGE, "not K=V words"),
        (("forecast", "shop", "sales"), ExitCode.USAGE, "give the past rows once"),
        (("forecast", "shop", "sales", "[1]"), ExitCode.USAGE, "JSON array of objects"),
        (("run-function", "shop", "score", "--input", "{x"), ExitCode.USAGE, "not valid JSON"),
        (("lookup", "shop", "customer", "e=1", "-o", "csv"), ExitCode.USAGE, "is for --batch"),
        (("sql-query", "locked", "customers"), ExitCode.AUTH, "requires an API key"),
        (("run-function", "shop", "score", "x=1", "--dispatch-key", "k"), ExitCode.USAGE, ""),
    ],
)
def test_errors_are_one_line_with_their_exit_code(
    cli: RunCli, args: tuple[str, ...], code: int, says: str
) -> None:
    result = cli(*args)
    check(result, code)
    assert says in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("option", ["--service-key", "--bearer-token"])
def test_a_service_key_as_key_or_bearer_token_never_printed(
    cli: RunCli, shop_node: EmulatorHandle, option: str
) -> None:
    result = cli("sql-query", "locked", "customers", option, SERVICE_KEY, "-v", "-o", "json")
    check(result)
    assert json.loads(result.stdout)["columns"] == ["email", "name", "orders"]
    assert SERVICE_KEY not in result.stdout + result.stderr
    scheme = "Basic" if option == "--service-key" else "Bearer"
    sent = shop_node.received[-1]["headers"]["Authorization"]
    assert sent.startswith(scheme)
    wrong = cli("sql-query", "locked", "customers", option, "not-the-key")
    check(wrong, ExitCode.AUTH)
    assert "not-the-key" not in wrong.stderr
