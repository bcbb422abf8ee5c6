"""The batch engine: streamed readers, typed CSV, chunks in flight, answers in input order."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from support.userapi import SERVICE_KEY

from apinode_admin_cli.client import APINodeClient
from apinode_admin_cli.errors import AuthenticationError, UsageError
from apinode_admin_cli.scoring import reader
from apinode_admin_cli.scoring.batch import run_batch


def records(text: str, name: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [row.record for row in reader.open_rows(io.StringIO(text), name, **kwargs)]


def test_csv_fields_are_typed_predictably() -> None:
    text = "a,b,c,d\n42,-3.5,007,\n1e3,nan,+1,x y\n"
    assert records(text, "f.csv") == [
        {"features": {"a": 42, "b": -3.5, "c": "007"}},
        {"features": {"a": 1000.0, "b": "nan", "c": "+1", "d": "x y"}},
    ]
    assert records(text, "data", fmt="csv", text_columns=["a"])[0]["features"]["a"] == "42"
    assert records(text, "f.csv", text_columns=["*"])[1]["features"]["b"] == "nan"


@pytest.mark.parametrize(
    ("text", "name", "words"),
    [
        ("a,b\n1\n", "f.csv", "line 2 of f.csv has 1 fields, the header 2"),
        ("a,a\n1,2\n", "f.csv", "name each column once"),
        ("", "f.csv", "f.csv holds no records"),
        ('{"a": 1}\n{"a": NaN}\n', "x.jsonl", "line 2 of x.jsonl is not valid JSON"),
        ('[{"a": 1}, 3]', "x.json", "item 2 of x.json is not a JSON object"),
        ('[{"a": 1} {"b": 2}]', "x.json", "malformed after item 1"),
        ("a;b\n", "data.txt", "cannot tell the format"),
    ],
)
def test_bad_input_is_one_clear_usage_error(text: str, name: str, words: str) -> None:
    with pytest.raises(UsageError) as raised:
        records(text, name)
    assert words in raised.value.message


@pytest.mark.parametrize(
    ("text", "name", "words"),
    [
        ('{"a": "' + "x" * 50 + '"}\n', "big.jsonl", "line 1 of big.jsonl is larger than"),
        ('[{"a": "' + "x" * 50 + '"}]', "big.json", "an item of big.json is larger than"),
        ("a\n" + "1" * 50 + "\n", "big.csv", "a line of the input is larger than"),
        (" " * 50 + "[]", "-", "the blank space starting - is larger than"),
    ],
)
def test_an_endless_row_is_refused_not_buffered(
    monkeypatch: pytest.MonkeyPatch, text: str, name: str, words: str
) -> None:
    monkeypatch.setattr(reader, "MAX_ROW_CHARS", 20)
    monkeypatch.setattr(reader, "_CHUNK", 8)
    with pytest.raises(UsageError) as raised:
        records(text, name)
    assert words in raised.value.message


def test_json_array_is_read_item_by_item(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "_CHUNK", 5)  # items and numbers cut across blocks
    items = [{"x": i * 1234567, "s": "é" * (i % 4)} for i in range(50)]
    text = "  [" + " ,\n ".join(json.dumps(i) for i in items) + "]  "
    assert records(text, "-") == [{"features": i} for i in items]
    assert records("[ ]", "-") == []
    shaped = '[{"features": {"a": 1}, "context": {"k": 2}}]'
    assert records(shaped, "-") == [{"features": {"a": 1}, "context": {"k": 2}}]


def _score(shop_node: Any, source: str, service: str = "shop", **kwargs: Any) -> Any:
    out = io.StringIO()
    settings: dict[str, Any] = dict(chunk_size=7, parallel=3)
    settings.update(kwargs)
    key = settings.pop("key", None)
    result = run_batch(
        source,
        kind="predict",
        make_client=lambda: APINodeClient(shop_node.uri, service, key, retries=0),
        send=lambda client, recs: client.predict_records("churn", recs),
        out=out,
        out_format="csv",
        stdin=sys.stdin.buffer,
        progress_stream=io.StringIO(),
        show_progress=False,
        **settings,
    )
    return result, list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize("parallel", [1, 3])
def test_rows_come_back_in_input_order_with_failures_reported(
    shop_node: Any, tmp_path: Path, parallel: int
) -> None:
    path = tmp_path / "customers.csv"
    lines = ["id,age"] + [f"{i},{'' if i % 10 == 3 else i}" for i in range(100)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The first chunk the node receives (the first, or any of three in flight) fails whole.
    shop_node.add_fault(path="/public/api/v1/shop/churn/predict-multi", status=500, count=1)
    result, rows = _score(shop_node, str(path), parallel=parallel)
    assert [r["id"] for r in rows] == [str(i) for i in range(100)]
    failed = [r for r in rows if r["status"] == "failed"]
    assert len(failed) == 7 and all("Injected fault: HTTP 500" in r["reason"] for r in failed)
    first = int(failed[0]["id"])
    assert first % 7 == 0 and [int(r["id"]) for r in failed] == list(range(first, first + 7))
    assert parallel > 1 or first == 0  # the header still has the result columns
    ignored = [r for r in rows if r["status"] == "ignored"]
    assert {r["reason"] for r in ignored} == {"IGNORED_BY_MODEL"}
    assert all(r["id"].endswith("3") for r in ignored) and len(ignored) >= 9
    good = [r for r in rows if r["status"] == "ok"]
    assert all(r["prediction"] in ("stay", "leave") and r["generation"] == "v1" for r in good)
    assert float(good[0]["proba_stay"]) + float(good[0]["proba_leave"]) == pytest.approx(1)
    assert (result.ok, result.failed) == (len(good), len(failed) + len(ignored))


def test_a_refused_service_key_stops_the_batch(shop_node: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("age\n1\n2\n", encoding="utf-8")
    with pytest.raises(AuthenticationError):
        _score(shop_node, str(path), service="locked", key="wrong")
    result, rows = _score(shop_node, str(path), service="locked", key=SERVICE_KEY)
    assert result.ok == 2 and [r["age"] for r in rows] == ["1", "2"]


def test_chunk_and_parallel_bounds(shop_node: Any, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="chunk size"):
        _score(shop_node, str(tmp_path / "x.csv"), chunk_size=0)
    with pytest.raises(UsageError, match="in flight"):
        _score(shop_node, str(tmp_path / "x.csv"), parallel=1000)
    with pytest.raises(UsageError, match="cannot read"):
        _score(shop_node, str(tmp_path / "missing.csv"))
