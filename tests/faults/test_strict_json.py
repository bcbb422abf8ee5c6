"""NaN and Infinity are not JSON: refused in every input (exit 2), never printed (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, RunProc, check
from support.faults import assert_failed

NOT_JSON = ["NaN", "Infinity", "-Infinity", "1e999"]


@pytest.fixture
def quiet_node(node_cli: RunCli, emulator: Any) -> Any:
    """A node with service churn and an empty journal: a test proves nothing was sent."""
    check(node_cli("services", "create", "churn"))
    emulator.clear_received()
    return emulator


def _mapping(proba: str) -> str:
    return '{"entries": [{"generation": "v1", "proba": ' + proba + "}]}"


@pytest.mark.parametrize("constant", NOT_JSON)
def test_a_mapping_with_a_non_number(
    node_cli: RunCli, quiet_node: Any, tmp_path: Path, constant: str
) -> None:
    text = _mapping(constant)
    path = tmp_path / "mapping.json"
    path.write_text(text)
    for args, stdin in (
        (("services", "set-mapping", "churn", "-"), text),
        (("services", "set-mapping", "churn", str(path)), None),
        (("service-set-mapping", "churn"), text),
    ):
        result = node_cli(*args, input=stdin)
        assert_failed(result, 2, constant)
    assert quiet_node.received == []


@pytest.mark.parametrize("constant", NOT_JSON)
def test_prediction_input_with_a_non_number(
    node_cli: RunCli, quiet_node: Any, tmp_path: Path, constant: str
) -> None:
    record = '{"age": ' + constant + "}"
    features = tmp_path / "features.json"
    features.write_text(record)
    lines = tmp_path / "batch.jsonl"
    lines.write_text('{"age": 1}\n' + record + "\n")
    array = tmp_path / "batch.json"
    array.write_text('[\n  {"age": 1},\n  ' + record + "\n]\n")
    base = ("predict", "churn", "score")
    runs: list[tuple[tuple[str, ...], Any, str]] = [
        ((*base, record), None, "the JSON argument"),
        ((*base, "@" + str(features)), None, str(features)),
        ((*base, "-"), record, "stdin"),
        ((*base, "--batch", str(lines)), None, "line 2"),
        ((*base, "--batch", "-"), lines.read_text(), "line 2"),
        ((*base, "--batch", str(array)), None, str(array)),
        ((*base, "age=1", "--context", '{"t": ' + constant + "}"), None, "the context"),
    ]
    for args, stdin, where in runs:
        result = node_cli(*args, input=stdin)
        first = assert_failed(result, 2, constant)
        assert where in first, first
    assert quiet_node.received == []


def test_a_feature_word_spelled_nan_is_text(node_cli: RunCli, quiet_node: Any) -> None:
    """K=V values are typed as JSON when they are JSON; NaN is not, so it is sent as text."""
    # The service has no generation: the node answers 503 (exit 7), but it got the request.
    check(node_cli("predict", "churn", "score", "x=NaN", "y=[[[", "-o", "json"), 7)
    (sent,) = [r for r in quiet_node.received if r["method"] == "POST"]
    assert json.loads(sent["body"])["features"] == {"x": "NaN", "y": "[[["}


def test_deep_nesting_is_a_usage_error(node_cli: RunCli, quiet_node: Any) -> None:
    deep = '{"a": ' * 100000 + "1" + "}" * 100000
    for args in (("predict", "churn", "score", "-"), ("predict", "churn", "score", "--batch", "-")):
        assert_failed(node_cli(*args, input=deep), 2, "nested too deeply")
    assert_failed(node_cli("predict", "churn", "score", "--context", deep, "a=1"), 2, "nested")
    assert quiet_node.received == []


@pytest.mark.parametrize(
    "command",
    [
        ("services", "list", "-o", "json"),
        ("metrics", "show", "-o", "json"),
        ("metrics-get",),
    ],
)
def test_an_answer_holding_nan_is_never_printed(
    node_cli: RunCli, emulator: Any, command: tuple[str, ...]
) -> None:
    body = '[{"serviceId": "s", "enabled": true, "load": NaN}]'
    if "metrics" in command[0]:
        body = '{"requests": Infinity}'
    emulator.add_fault(method="GET", path="/admin/api", status=200, body=body)
    result = node_cli(*command)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr


def test_a_prediction_holding_nan_is_never_printed(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("services", "create", "churn"))
    for extra in ((), ("-o", "json")):
        emulator.add_fault(
            method="POST", path="/public/api", status=200, body='{"result": {"prediction": NaN}}'
        )
        result = node_cli("predict", "churn", "score", "age=1", *extra)
        assert result.exit_code == 1, result.output
        assert result.stdout == "" and "NaN" not in result.stdout
        assert "unexpected" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("services", "list", "-o", "json"),
        ("metrics", "show", "-o", "json"),
        ("metrics-get",),
    ],
)
def test_a_lone_surrogate_in_an_answer_is_printed_escaped(
    node_cli: RunCli, emulator: Any, command: tuple[str, ...]
) -> None:
    """JSON lets a string hold half a UTF-16 pair; UTF-8 cannot: the output keeps the escape."""
    body = '[{"serviceId": "s\\ud800", "enabled": true}]'
    if "metrics" in command[0]:
        body = '{"s\\ud800": 1}'
    emulator.add_fault(method="GET", path="/admin/api", status=200, body=body)
    result = node_cli(*command)
    check(result)
    assert "\\ud800" in result.stdout
    assert json.loads(result.stdout) == json.loads(body)


@pytest.mark.parametrize("output", ["plain", "tsv", "table"])
def test_a_lone_surrogate_in_a_table_is_printed_escaped(
    run_proc: RunProc, emulator: Any, output: str
) -> None:
    # A real process: its stdout encodes to UTF-8 and would refuse the character outright.
    body = '[{"serviceId": "s\\ud800", "enabled": true}]'
    emulator.add_fault(method="GET", path="/admin/api/services", status=200, body=body)
    args = ["--uri", emulator.uri, "--api-key", emulator.admin_key, "services", "list"]
    proc = run_proc(*args, "-o", output)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "s\\ud800" in proc.stdout
