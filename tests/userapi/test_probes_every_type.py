"""Rollout probes for every endpoint type: what a probe file names is what is sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check
from support.userapi import deploy, package

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ExitCode, UsageError
from apinode_admin_cli.rollout import parse_probes, run_probes

SALES = [{"date": "2024-01-01T00:00:00Z", "store": "A", "target": 3}]
# endpoint -> a probe of it that the node answers
GOOD = {
    "churn": {"call": "predict", "input": {"age": 3}, "context": {"probe": 1}},
    "uplift": {"call": "predict-effect", "input": {"age": 3}},
    "sales": {"call": "forecast", "input": SALES},
    "score": {"call": "run", "input": {"x": 1}},
    "customers": {"call": "query", "input": {"name": "Ann"}},
    "customer": {"call": "lookup", "input": {"email": "bob@x.io"}},
}


def test_probe_files_name_the_call() -> None:
    lines = "\n".join(json.dumps(probe) for probe in GOOD.values())
    probes = parse_probes(lines + '\n{"age": 4}\n')
    assert probes[0] == {"features": {"age": 3}, "context": {"probe": 1}}
    assert probes[3] == {"call": "run", "input": {"x": 1}}
    assert probes[-1] == {"features": {"age": 4}}


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('{"call": "explode", "input": {}}', "unknown call 'explode'"),
        ('{"call": "forecast", "input": {"a": 1}}', "must be a list of rows"),
        ('{"call": "run", "input": [1]}', "must be an object"),
        ('{"call": "run", "input": {}, "context": 3}', "'context' must be a JSON object"),
    ],
)
def test_bad_call_probes_are_usage_errors(line: str, words: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_probes(line)
    assert words in raised.value.message


@pytest.mark.parametrize("endpoint", sorted(GOOD))
def test_each_type_probes_ok(shop_node: Any, endpoint: str) -> None:
    probes = parse_probes(json.dumps(GOOD[endpoint]))
    with APINodeClient(shop_node.uri, "shop", retries=0) as client:
        outcome = run_probes(client, endpoint, "v1", probes)
    assert (outcome.ok, outcome.failed, outcome.errors) == (1, 0, [])


@pytest.mark.parametrize(
    ("endpoint", "probe", "words"),
    [
        ("customer", {"call": "lookup", "input": {"email": "nobody"}}, "ignored (NOT_FOUND)"),
        ("score", {"call": "run", "input": {"y": 1}}, "Missing parameter 'x'"),
        ("churn", {"call": "predict", "input": {"plan": "x"}}, "ignored (IGNORED_BY_MODEL)"),
        ("customers", {"call": "run", "input": {}}, "SQL_QUERY endpoint"),
    ],
)
def test_a_probe_fails_on_an_http_error_or_an_ignored_row(
    shop_node: Any, endpoint: str, probe: dict[str, Any], words: str
) -> None:
    with APINodeClient(shop_node.uri, "shop", retries=0) as client:
        outcome = run_probes(client, endpoint, "v1", parse_probes(json.dumps(probe)))
    assert (outcome.ok, outcome.failed) == (0, 1)
    assert words in outcome.errors[0]


def _function_service(emulator: EmulatorHandle, folder: Path, error_rate: float) -> None:
    functions = [{"id": "score", "type": "PY_FUNCTION", "params": ["x"]}]
    deploy(emulator.uri, emulator.admin_key, "fn", package(folder, "v1", endpoints=functions))
    new = package(folder / "new", "v2", endpoints=functions, errorRate=error_rate)
    with APINodeAdminClient(emulator.uri, emulator.admin_key) as admin:
        admin.service("fn").import_generation_from_archive(str(new))


@pytest.mark.parametrize(("error_rate", "code"), [(0.0, 0), (1.0, ExitCode.ROLLED_BACK)])
def test_a_rollout_of_a_function_endpoint_probes_and_rolls_back(
    emulator: EmulatorHandle, node_cli: RunCli, tmp_path: Path, error_rate: float, code: int
) -> None:
    _function_service(emulator, tmp_path, error_rate)
    probes = tmp_path / "probes.jsonl"
    probes.write_text('{"call": "run", "input": {"x": 1}}\n' * 2, encoding="utf-8")
    args = ("--steps", "50,100", "--probe", str(probes), "--endpoint", "score", "-o", "json")
    result = node_cli("services", "rollout", "fn", "v2", *args)
    check(result, code)
    runs = [e for e in emulator.received if e["path"] == "/public/api/v1/fn/score/run"]
    assert runs and all(json.loads(e["body"]) == {"x": 1} for e in runs)
    with APINodeAdminClient(emulator.uri, emulator.admin_key) as admin:
        mapped = {g["generationId"]: g["mapped"] for g in admin.service("fn").list_generations()}
    if code:
        assert mapped == {"v1": 1.0, "v2": 0}
        assert json.loads(result.stdout)[-1] == {"rolledBackTo": {"v1": 1.0}}
        assert "Emulated failure of generation 'v2'" in result.stderr
    else:
        assert mapped == {"v1": 0, "v2": 1.0} and len(runs) == 4
