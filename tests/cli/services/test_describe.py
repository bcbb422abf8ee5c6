"""``services list --wide`` and ``services describe``: what each service serves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check

from apinode_admin_cli.client import APINodeAdminClient


@pytest.fixture
def deployed(emulator: Any, make_archive: Callable[..., Path]) -> APINodeAdminClient:
    """churn: a 90/10 canary of v1 and v2 (v3 idle); fraud: v1; idle: nothing; old: disabled."""
    with APINodeAdminClient(emulator.uri, emulator.admin_key) as client:
        for sid in ("churn", "fraud", "idle", "old"):
            client.create_service(sid)
        churn = client.service("churn")
        for gen in ("v1", "v2", "v3"):
            churn.import_generation_from_archive(str(make_archive(gen)))
        churn.set_generations_mapping(
            {"entries": [{"generation": "v1", "proba": 0.9}, {"generation": "v2", "proba": 0.1}]}
        )
        client.service("fraud").import_generation_from_archive(str(make_archive("v1")))
        client.service("fraud").switch_to_single_generation("v1")
        client.service("old").disable()
        emulator.clear_received()
        yield client


def gets(emulator: Any) -> list[str]:
    return [r["decoded_path"] for r in emulator.received if r["method"] == "GET"]


def test_default_listing_stays_one_request(node_cli: RunCli, deployed: Any, emulator: Any) -> None:
    result = node_cli("services", "list", "-o", "tsv")
    check(result)
    assert result.stdout.splitlines()[0] == "SERVICE\tENABLED"
    assert gets(emulator) == ["/admin/api/services"]


def test_wide_listing_shows_the_active_generation_or_the_mapping(
    node_cli: RunCli, deployed: Any, emulator: Any
) -> None:
    result = node_cli("services", "list", "--wide", "-o", "tsv")
    check(result)
    assert result.stdout.splitlines() == [
        "SERVICE\tENABLED\tACTIVE",
        "churn\ttrue\tv1 90% v2 10%",
        "fraud\ttrue\tv1",
        "idle\ttrue\t",
        "old\tfalse\t",
    ]
    assert sorted(gets(emulator)) == [
        "/admin/api/services",
        "/admin/api/services/churn/generations",
        "/admin/api/services/fraud/generations",
        "/admin/api/services/idle/generations",
        "/admin/api/services/old/generations",
    ]


def test_wide_json_adds_each_service_s_generations(node_cli: RunCli, deployed: Any) -> None:
    result = node_cli("services", "list", "--wide", "-o", "json")
    check(result)
    listed = {s["serviceId"]: s for s in json.loads(result.stdout)}
    assert [g["generationId"] for g in listed["churn"]["generations"]] == ["v1", "v2", "v3"]
    assert listed["idle"]["generations"] == []
    assert listed["old"]["enabled"] is False


def test_wide_listing_asks_for_the_generations_concurrently(
    node_cli: RunCli, deployed: Any, emulator: Any
) -> None:
    # Each generations request waits 0.6 s before its answer: one after the other, the
    # four would arrive at least 1.8 s apart; together, within a fraction of that.
    emulator.add_fault(method="GET", pathRegex="/generations$", delayMs=600, count=4)
    check(node_cli("services", "list", "--wide"))
    times = [r["time"] for r in emulator.received if r["path"].endswith("/generations")]
    assert len(times) == 4
    assert max(times) - min(times) < 1.2


def test_describe_shows_state_mapping_and_generations(node_cli: RunCli, deployed: Any) -> None:
    result = node_cli("services", "describe", "churn", "-o", "plain")
    check(result)
    summary, table = result.stdout.split("\n\n")
    facts = dict(line.split(None, 1) for line in summary.splitlines()[1:])
    assert facts == {
        "service": "churn",
        "enabled": "true",
        "mapping": "v1 90% v2 10%",
        "generations": "3",
    }
    rows = [line.split() for line in table.splitlines()]
    assert rows[0][0] == "GENERATION"
    assert [(r[0], r[-1]) for r in rows[1:]] == [("v1", "90%"), ("v2", "10%"), ("v3", "0%")]


def test_describe_json(node_cli: RunCli, deployed: Any) -> None:
    result = node_cli("services", "describe", "churn", "-o", "json")
    check(result)
    shown = json.loads(result.stdout)
    assert shown["serviceId"] == "churn" and shown["enabled"] is True
    assert shown["mapping"] == {
        "entries": [{"generation": "v1", "proba": 0.9}, {"generation": "v2", "proba": 0.1}]
    }
    assert [g["generationId"] for g in shown["generations"]] == ["v1", "v2", "v3"]
    assert set(shown["generations"][0]) >= {"createdOn", "mounted", "mapped"}

    result = node_cli("services", "describe", "idle", "-o", "json")
    check(result)
    assert json.loads(result.stdout)["mapping"] is None


def test_describe_an_unknown_service_exits_5(node_cli: RunCli, deployed: Any) -> None:
    result = node_cli("services", "describe", "nope")
    check(result, 5)
    assert result.stdout == ""
