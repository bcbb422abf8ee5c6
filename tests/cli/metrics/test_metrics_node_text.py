"""Node text in metrics output (issue 22 item 13): no escape sequence, no forged row or series.

Real processes: a pipe is where click would strip escape sequences after de-duplication.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.cli import RunCli, RunProc, check

METRICS = "/admin/api/metrics"
# Two keys that differ only by an escape sequence, a key whose label name would start with a
# digit, and a value with a line break that would pass for a row of its own.
ANSWER = {
    "byStatus": {"x\u001b[31my": 1, "x\u001b[32my": 2},
    "by_2xx": {"churn": 7},
    "requests": 3,
}


def _lie(emulator: Any, body: Any) -> None:
    emulator.add_fault(
        method="GET", path=METRICS, status=200, body=json.dumps(body),
        contentType="application/json", count=5,
    )  # fmt: skip


def test_prometheus_output_parses_and_holds_no_escape_sequence(
    run_proc: RunProc, emulator: Any
) -> None:
    _lie(emulator, ANSWER)
    proc = run_proc(
        "--uri", emulator.uri, "--api-key", emulator.admin_key, "metrics", "show",
        "-o", "prometheus",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "\u001b" not in proc.stdout
    lines = [line for line in proc.stdout.splitlines() if not line.startswith("#")]
    assert len(lines) == len(set(lines)), proc.stdout  # no series twice
    # A real parser takes the whole exposition (it refused a label name starting with a digit).
    samples = [
        (s.name, s.labels) for family in text_string_to_metric_families(proc.stdout)
        for s in family.samples
    ]  # fmt: skip
    assert ("apinode_by_2xx", {"key_2xx": "churn"}) in samples
    assert len([s for s in samples if s[0] == "apinode_byStatus"]) == 2


@pytest.mark.parametrize("output", ["plain", "table"])
def test_a_line_break_in_a_node_value_never_forges_a_row(
    node_cli: RunCli, emulator: Any, output: str
) -> None:
    forged = "churn\ntrue"
    emulator.add_fault(
        method="GET", path="/admin/api/services", status=200,
        body=json.dumps([{"serviceId": forged, "enabled": False}]),
        contentType="application/json",
    )  # fmt: skip
    result = node_cli("services", "list", "-o", output)
    check(result)
    rows = [line for line in result.stdout.splitlines() if "churn" in line or "true" in line]
    assert len(rows) == 1, result.stdout  # one row: the break shows as \n
    assert "churn\\ntrue" in result.stdout


def test_metrics_show_keeps_a_line_break_in_a_name_on_its_row(
    node_cli: RunCli, emulator: Any
) -> None:
    _lie(emulator, {"a\nfake.metric": 1, "real": 2})
    result = node_cli("metrics", "show", "-o", "plain")
    check(result)
    assert [line.split()[0] for line in result.stdout.splitlines()[1:]] == [
        "a\\nfake.metric",
        "real",
    ]
