"""`predict --batch`: files and stdin, typed CSV, rows in order, failures reported, progress."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check, connected

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ExitCode
from apinode_admin_cli.output import progress

MULTI = "/public/api/v1/shop/churn/predict-multi"


@pytest.fixture
def cli(shop_node: EmulatorHandle, run_cli: RunCli) -> RunCli:
    shop_node.clear_received()
    shop_node.clear_faults()
    return connected(run_cli, shop_node.uri, "")


def bodies(shop_node: EmulatorHandle) -> list[Any]:
    return [json.loads(e["body"]) for e in shop_node.received if e["path"] == MULTI]


def test_a_csv_file_comes_back_row_for_row_in_order(
    cli: RunCli, shop_node: EmulatorHandle, tmp_path: Path
) -> None:
    source = tmp_path / "customers.csv"
    lines = ["id,age,zip"] + [f"{i},{'' if i == 17 else i % 90},0{i % 9}1" for i in range(50)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    args = ("--batch", str(source), "--chunk-size", "4", "--parallel", "3", "--text-columns", "zip")
    result = cli("predict", "shop", "churn", *args, "-o", "csv")
    check(result, ExitCode.FAILURE)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [str(i) for i in range(50)]
    assert list(rows[0]) == [
        "id", "age", "zip", "generation", "prediction", "proba_stay", "proba_leave",
        "status", "reason",
    ]  # fmt: skip
    assert rows[17]["status"] == "ignored" and rows[17]["reason"] == "IGNORED_BY_MODEL"
    assert all(r["status"] == "ok" and r["prediction"] for i, r in enumerate(rows) if i != 17)
    assert "1 of 50 rows failed or were ignored (first: IGNORED_BY_MODEL)" in result.stderr
    sent = bodies(shop_node)
    assert len(sent) == 13 and all(len(b["items"]) <= 4 for b in sent)
    features = [item["features"] for body in sent for item in body["items"]]
    # Numbers as numbers, empty as missing, --text-columns as text.
    assert sorted(features, key=lambda f: f["id"])[7] == {"id": 7, "age": 7, "zip": "071"}
    assert {"id": 17, "zip": "081"} in features


def test_stdin_json_lines_with_dispatch_explanations_and_jsonl_out(
    cli: RunCli, shop_node: EmulatorHandle
) -> None:
    lines = '{"age": 1}\n{"features": {"age": 2}, "context": {"src": "row"}}\n'
    args = ("--batch", "-", "--dispatch-key", "u42", "--explanations", "--context", '{"c": 1}')
    result = cli("predict", "shop", "churn", *args, "-o", "jsonl", input=lines)
    check(result)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [row["age"] for row in out] == [1, 2]
    assert all(row["status"] == "ok" and row["generation"] == "v1" for row in out)
    (body,) = bodies(shop_node)
    assert body["dispatch"] == {"dispatchKey": "u42"}
    assert body["explanations"]["enabled"] is True
    assert [i.get("context") for i in body["items"]] == [{"c": 1}, {"src": "row"}]
    assert result.stderr == "Scored 2 rows.\n"  # no progress bar in a pipe


def test_csv_on_stdin_needs_its_format_and_a_table_is_the_terminal_default(cli: RunCli) -> None:
    text = "age,plan\n3,pro\n"
    refused = cli("predict", "shop", "churn", "--batch", "-", input=text)
    check(refused, ExitCode.USAGE)
    assert "cannot tell the format of stdin" in refused.stderr
    result = cli("predict", "shop", "churn", "--batch", "-", "--batch-format", "csv",
                 "-o", "tsv", input=text)  # fmt: skip
    check(result)
    header, row = (line.split("\t") for line in result.stdout.splitlines())
    assert header[:3] == ["AGE", "PLAN", "GENERATION"] and row[:3] == ["3", "pro", "v1"]


def test_a_refused_chunk_fails_its_rows_and_not_the_others(
    cli: RunCli, shop_node: EmulatorHandle, tmp_path: Path
) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(f'{{"age": {i}}}\n' for i in range(6)), encoding="utf-8")
    shop_node.add_fault(path=MULTI, status=503, count=1)
    args = ("--batch", str(source), "--chunk-size", "2", "--parallel", "1", "--retries", "1")
    result = cli("predict", "shop", "churn", *args, "-o", "jsonl")
    check(result, ExitCode.FAILURE)
    statuses = [json.loads(line)["status"] for line in result.stdout.splitlines()]
    assert statuses == ["failed", "failed", "ok", "ok", "ok", "ok"]
    assert "2 of 6 rows failed" in result.stderr and "Injected fault: HTTP 503" in result.stderr


@pytest.mark.parametrize(
    ("text", "name", "says"),
    [
        ("age\n1\n2,3\n", "bad.csv", "line 3 of"),
        ('{"age": 1}\n{"age": \n', "bad.jsonl", "line 2 of"),
        ("", "empty.jsonl", "no records"),
    ],
)
def test_bad_batch_files_exit_2(
    cli: RunCli, tmp_path: Path, text: str, name: str, says: str
) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    result = cli("predict", "shop", "churn", "--batch", str(source), "-o", "csv")
    check(result, ExitCode.USAGE)
    assert says in result.stderr and "Traceback" not in result.stderr


def test_progress_lines_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "LINE_EVERY", 0.0)
    stream = io.StringIO()
    with progress.BatchProgress(stream, True, 1000, bar=False) as bar:
        bar.update(500, 250)
    assert stream.getvalue().startswith("Scored 500 rows (")
    assert stream.getvalue().endswith(" rows/s), 25% of the input\n")
    quiet = io.StringIO()
    with progress.BatchProgress(quiet, False, 1000, bar=False) as bar:
        bar.update(500, 250)
    assert quiet.getvalue() == ""
