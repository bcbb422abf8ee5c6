"""``metrics show -o prometheus`` on one node, read back by prometheus_client's parser."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from prometheus_client.parser import text_string_to_metric_families
from support.cli import RunCli, check, closed_port_uri

from apinode_admin_cli.client import APINodeClient

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample by (name, sorted labels); each family declared untyped."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "unknown", family
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in found, f"duplicate sample {key}"
            found[key] = sample.value
    return found


@pytest.fixture
def served(node_cli: RunCli, emulator: Any, make_archive: Callable[..., Path]) -> Any:
    """Service churn serving v1, which answered four predictions on endpoint score."""
    check(node_cli("services", "create", "churn"))
    check(node_cli("generations", "import", "churn", str(make_archive("v1")), "--activate"))
    with APINodeClient(emulator.uri, "churn") as user:
        for i in range(4):
            user.predict_record("score", {"i": i})
    return emulator


def test_the_emulators_metrics_in_the_text_format(node_cli: RunCli, served: Any) -> None:
    result = node_cli("metrics", "show", "-o", "prometheus")
    check(result)
    assert result.stderr == ""
    samples = parse(result.stdout)
    churn = (("service", "churn"),)
    score = (("endpoint", "score"), ("service", "churn"))
    assert samples[("apinode_emulated", ())] == 1
    assert samples[("apinode_service_requests", churn)] == 4
    assert samples[("apinode_service_errors", churn)] == 0
    assert samples[("apinode_service_endpoint_requests", score)] == 4
    assert samples[("apinode_service_endpoint_records", score)] == 4
    generation = (("endpoint", "score"), ("generation", "v1"), ("service", "churn"))
    assert samples[("apinode_service_endpoint_generation", generation)] == 4
    assert samples[("apinode_admin_byMethod", (("method", "POST"),))] >= 2
    assert samples[("apinode_service_endpoint_latencyMs_max", score)] >= 0
    # Nothing but samples and their TYPE lines, and no node label for a single node.
    lines = result.stdout.splitlines()
    assert len(lines) == len(samples) + len({name for name, _ in samples})
    assert not any("node=" in line for line in lines)


def test_the_format_name_is_case_insensitive_and_json_still_wins(
    node_cli: RunCli, served: Any
) -> None:
    upper = node_cli("metrics", "show", "-o", "PROMETHEUS")
    check(upper)
    assert upper.stdout.startswith("# TYPE apinode_")
    as_json = node_cli("metrics", "show", "-o", "prometheus", "--json")
    check(as_json)
    assert as_json.stdout.lstrip().startswith("{")


def test_odd_shapes_from_the_node_never_break_a_line(node_cli: RunCli, emulator: Any) -> None:
    # The metrics object has no documented shape: whatever a node sends must stay parseable.
    # (NaN and infinities never get this far: the client refuses them as invalid JSON.)
    body = (
        '{"we\\"ird": {"new\\nline": 1, "back\\\\slash": 2}, '
        '"services": {"ch\\u00e9 rn": {"requests": 5, "ok": true, "off": false, "tag": "x",'
        ' "none": null, "empty": {}, "p": [7, [8]]}}, '
        '"huge": 1e308, "big": 123456789012345678901234567890, '
        '"toobig": 1' + "0" * 400 + ', "lone": {"\\ud800": 3}}'
    )
    emulator.add_fault(method="GET", path="/admin/api/metrics", status=200, body=body)
    result = node_cli("metrics", "show", "-o", "prometheus")
    check(result)
    samples = parse(result.stdout)
    assert samples[("apinode", (("key", 'we"ird'), ("key_2", "new\nline")))] == 1
    assert samples[("apinode", (("key", 'we"ird'), ("key_2", "back\\slash")))] == 2
    churn = (("service", "ch\u00e9 rn"),)
    assert samples[("apinode_service_requests", churn)] == 5
    assert samples[("apinode_service_ok", churn)] == 1
    assert samples[("apinode_service_off", churn)] == 0
    assert samples[("apinode_service_p", (("p", "0"), ("service", "ch\u00e9 rn")))] == 7
    assert samples[("apinode_huge", ())] == 1e308
    assert samples[("apinode_big", ())] == pytest.approx(1.2345678901234568e29)
    assert samples[("apinode_lone", (("lone", "?"),))] == 3
    assert not any("tag" in name or "none" in name or "toobig" in name for name, _ in samples)


def test_prometheus_belongs_to_metrics_show_alone(node_cli: RunCli, served: Any) -> None:
    other = node_cli("services", "list", "-o", "prometheus")
    check(other, 2)
    assert "'prometheus' is not one of" in other.stderr
    # Not a value of the output setting either: refused wherever it comes from.
    for args in (["services", "list"], ["metrics", "show"]):
        refused = node_cli(*args, env={"APINODE_ADMIN_OUTPUT": "prometheus"})
        check(refused, 3)
        assert refused.stderr.startswith("Error: invalid APINODE_ADMIN_OUTPUT: 'prometheus'")
        assert refused.stdout == ""
    assert "prometheus" in node_cli("metrics", "show", "--help").stdout
    assert "prometheus" not in node_cli("services", "list", "--help").stdout


def test_an_unreachable_node_prints_nothing_and_exits_7(run_cli: RunCli) -> None:
    env = {"APINODE_ADMIN_URI": closed_port_uri(), "APINODE_ADMIN_API_KEY": "k"}
    env["APINODE_ADMIN_RETRIES"] = "1"
    result = run_cli("metrics", "show", "-o", "prometheus", env=env)
    check(result, 7)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


@pytest.mark.parametrize("number", ["NaN", "-Infinity", "1e400"])
def test_a_node_sending_numbers_json_lacks_is_refused_with_exit_1(
    node_cli: RunCli, emulator: Any, number: str
) -> None:
    body = '{"ok": 1, "bad": ' + number + "}"
    emulator.add_fault(method="GET", path="/admin/api/metrics", status=200, body=body)
    result = node_cli("metrics", "show", "-o", "prometheus")
    check(result, 1)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: the node answered HTTP 200 with invalid JSON")
