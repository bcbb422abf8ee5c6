"""`--fleet prod state ...`: nodes in different states planned on their own, confirmed once,
applied concurrently, and converging to one state."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from support.cli import RunCli, check
from support.state import Archive, node_summary, on_terminal, set_mapping, setup_gens, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.state import parse_state_text


@pytest.fixture
def clients() -> Iterator[Callable[[Any, str], APINodeAdminClient]]:
    """clients(fleet, "n1"): an admin client on that node of the fleet."""
    opened: list[APINodeAdminClient] = []

    def open_client(fleet: Any, name: str) -> APINodeAdminClient:
        handle = fleet.node(name)
        opened.append(APINodeAdminClient(handle.uri, handle.admin_key, retries=1))
        return opened[-1]

    yield open_client
    for client in opened:
        client.close()


def state_file(tmp_path: Path, archive: Archive) -> str:
    path = tmp_path / "prod.toml"
    path.write_text(
        f"""
[services.churn]
generations = {{ v1 = "{archive("v1")}", v2 = "{archive("v2")}" }}
mapping = {{ v1 = 0.9, v2 = 0.1 }}

[services.fraud]
active = "f3"
generations = {{ f3 = "{archive("f3")}" }}
""",
        encoding="utf-8",
    )
    return str(path)


def drifted(fleet: Any, clients: Any, archive: Archive) -> None:
    """n1 empty; n2 half deployed with an extra service; n3 on another mapping, disabled."""
    n2 = clients(fleet, "n2")
    setup_gens(n2, archive, "churn", "v1")
    n2.service("churn").switch_to_single_generation("v1")
    n2.create_service("old")
    n3 = clients(fleet, "n3")
    setup_gens(n3, archive, "churn", "v1", "v2")
    set_mapping(n3, "churn", v1=0.5, v2=0.5)
    n3.service("churn").disable()
    setup_gens(n3, archive, "fraud", "f3")
    n3.service("fraud").switch_to_single_generation("f3")


CONVERGED = {
    "churn": (True, {"v1": 0.9, "v2": 0.1}, ["v1", "v2"]),
    "fraud": (True, {"f3": 1.0}, ["f3"]),
}


def test_nodes_in_different_states_converge_to_the_same_state(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    clients: Any,
    archive: Archive,
    tmp_path: Path,
) -> None:
    fleet = make_fleet("n1", "n2", "n3")
    drifted(fleet, clients, archive)
    path = state_file(tmp_path, archive)

    diff = fleet_cli("state", "diff", "-f", path, "--prune", "--exit-code")
    check(diff, 8)
    assert diff.stdout.splitlines() == [
        "n1: + service churn",
        "n1: + service fraud",
        f"n1: + churn: import v1 from {archive('v1')}",
        f"n1: + churn: import v2 from {archive('v2')}",
        f"n1: + fraud: import f3 from {archive('f3')}",
        "n1: ~ churn: mapping none -> v1 90% v2 10%",
        "n1: ~ fraud: switch none -> f3",
        "n2: + service fraud",
        f"n2: + churn: import v2 from {archive('v2')}",
        f"n2: + fraud: import f3 from {archive('f3')}",
        "n2: ~ churn: mapping v1 100% -> v1 90% v2 10%",
        "n2: ~ fraud: switch none -> f3",
        "n2: - service old (prune)",
        "n3: ~ churn: mapping v1 50% v2 50% -> v1 90% v2 10%",
    ]
    unpruned = fleet_cli("state", "diff", "-f", path)
    check(unpruned)
    assert "n2: note: 1 service on the node not in the file, left alone: old" in unpruned.stderr
    for name in fleet.nodes:
        fleet.node(name).clear_received()

    applied = fleet_cli("state", "apply", "-f", path, "--prune", "-y", "-o", "tsv")
    check(applied)
    assert applied.stdout.splitlines() == [
        "NODE\tOUTCOME\tDETAIL",
        "n1\tok\t7 changes done",
        "n2\tok\t6 changes done",
        "n3\tok\t1 change done",
    ]
    assert "n3: done: ~ churn: mapping v1 50% v2 50% -> v1 90% v2 10% (" in applied.stderr
    assert "n2: done: - service old (prune) (" in applied.stderr
    # Each node's outcome on stderr as it finishes, as for every fleet action.
    for name in fleet.nodes:
        assert re.search(rf"^{name}: ok \(\d+\.\d\d s\)$", applied.stderr, re.M), name
    for name in fleet.nodes:
        assert node_summary(clients(fleet, name)) == CONVERGED, name
    check(fleet_cli("fleet", "status", "--exit-code"))

    for name in fleet.nodes:
        fleet.node(name).clear_received()
    again = fleet_cli("state", "apply", "-f", path, "--prune", "-o", "tsv")
    check(again)  # nothing to do anywhere: no question, no -y needed
    assert [row.split("\t")[2] for row in again.stdout.splitlines()[1:]] == ["no changes"] * 3
    assert all(writes(fleet.node(name)) == [] for name in fleet.nodes)
    check(fleet_cli("state", "diff", "-f", path, "--prune", "--exit-code"))


def test_a_bad_file_sends_no_request_to_any_node(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, tmp_path: Path
) -> None:
    fleet = make_fleet("n1", "n2")
    path = tmp_path / "prod.toml"
    path.write_text("[services.churn]\nactive = 'v9'\n")
    for command in (["diff"], ["apply", "-y"]):
        result = fleet_cli("state", *command, "-f", str(path))
        check(result, 2)
        assert (
            "services.churn.active: generation 'v9' is not declared in services.churn.generations"
        ) in result.stderr
    assert fleet.node("n1").received == [] and fleet.node("n2").received == []


def test_the_fleet_is_confirmed_once_after_every_plan_is_known(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    clients: Any,
    archive: Archive,
    tmp_path: Path,
) -> None:
    fleet = make_fleet("n1", "n2")
    clients(fleet, "n2").create_service("churn")
    path = tmp_path / "prod.toml"
    path.write_text("[services.churn]\n[services.fraud]\n")
    fleet.node("n2").clear_received()

    refused = fleet_cli("state", "apply", "-f", str(path))
    check(refused, 2)
    assert "refusing to apply 3 changes on 2 nodes (n1, n2) without confirmation" in (
        refused.stderr
    )
    assert writes(fleet.node("n1")) == writes(fleet.node("n2")) == []

    accepted = on_terminal(["--fleet", "prod", "state", "apply", "-f", str(path)], "y\n")
    check(accepted)
    err = accepted.stderr
    assert err.count("?") == 1
    question = err.index("Apply 3 changes on 2 nodes (n1, n2)?")
    # Every node's plan comes before the question, every write after it.
    assert err.index("n1: + service fraud") < question
    assert err.index("n2: + service fraud") < question
    assert question < err.index("n1: done: + service churn")
    assert len(writes(fleet.node("n1"))) == 2 and len(writes(fleet.node("n2"))) == 1


def test_json_is_one_object_per_node_with_the_single_node_result(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    clients: Any,
    tmp_path: Path,
) -> None:
    fleet = make_fleet("n1", "n2")
    clients(fleet, "n2").create_service("old")
    path = tmp_path / "prod.toml"
    path.write_text("[services.churn]\n")

    diff = json.loads(fleet_cli("state", "diff", "-f", str(path), "-o", "json").stdout)
    create = {"service": "churn", "action": "create", "detail": ""}
    assert diff == [
        {
            "node": "n1",
            "uri": fleet.uris["n1"],
            "outcome": "ok",
            "result": {"changes": [create], "unmanaged": []},
        },
        {
            "node": "n2",
            "uri": fleet.uris["n2"],
            "outcome": "ok",
            "result": {"changes": [create], "unmanaged": ["old"]},
        },
    ]
    applied = fleet_cli("state", "apply", "-f", str(path), "-y", "-o", "json")
    check(applied)
    done = {"ok": True, "exitCode": 0, "changes": [{**create, "status": "done"}]}
    assert [item["result"] for item in json.loads(applied.stdout)] == [done, done]
    exported = fleet_cli("state", "export", "-o", "json")
    check(exported)
    assert [item["result"] for item in json.loads(exported.stdout)] == [
        {"services": {"churn": {"enabled": True}}},
        {"services": {"old": {"enabled": True}, "churn": {"enabled": True}}},
    ]


def test_export_prints_one_document_per_node_under_its_name(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, clients: Any
) -> None:
    fleet = make_fleet("n1", "n2")
    clients(fleet, "n1").create_service("churn")
    result = fleet_cli("state", "export")
    check(result)
    assert result.stdout == (
        f"# n1 ({fleet.uris['n1']})\n[services.churn]\nenabled = true\n"
        f"\n# n2 ({fleet.uris['n2']})\n[services]\n"
    )
    first, second = result.stdout.split("\n\n")
    assert parse_state_text(first).service_ids() == ["churn"]
    assert parse_state_text(second).service_ids() == []


def test_a_node_that_cannot_be_planned_stops_the_apply_everywhere(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, tmp_path: Path
) -> None:
    fleet = make_fleet("n1", "n2", down=("n2",))
    path = tmp_path / "prod.toml"
    path.write_text("[services.churn]\n")
    result = fleet_cli("state", "apply", "-f", str(path), "-y", "-o", "json")
    check(result, 7)
    assert "Error: could not plan n2 (fleet prod): nothing was changed on any node" in (
        result.stderr
    )
    assert writes(fleet.node("n1")) == []
    shown = json.loads(result.stdout)
    assert [(item["node"], item["outcome"]) for item in shown] == [
        ("n1", "skipped"),
        ("n2", "failed"),
    ]
    assert shown[1]["error"]["exitCode"] == 7


def test_a_failing_node_stops_alone_and_a_second_apply_finishes_it(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    clients: Any,
    archive: Archive,
    tmp_path: Path,
) -> None:
    fleet = make_fleet("n1", "n2")
    path = state_file(tmp_path, archive)
    fleet.node("n2").add_fault(
        method="POST", path="/admin/api/services/churn/actions/setMapping", status=500
    )
    failed = fleet_cli("state", "apply", "-f", path, "-y", "-o", "json", "--parallelism", "1")
    check(failed, 7)
    n1, n2 = json.loads(failed.stdout)
    assert n1["outcome"] == "ok" and n1["result"]["ok"] is True
    assert n2["outcome"] == "failed" and n2["error"]["exitCode"] == 7
    assert [c["status"] for c in n2["result"]["changes"]] == [
        "done", "done", "done", "done", "done", "failed", "not run",
    ]  # fmt: skip
    assert "n2: not run: ~ fraud: switch none -> f3" in failed.stderr
    assert node_summary(clients(fleet, "n1")) == CONVERGED

    for name in fleet.nodes:
        fleet.node(name).clear_received()
    finished = fleet_cli("state", "apply", "-f", path, "-y", "--parallelism", "1")
    check(finished)
    assert writes(fleet.node("n1")) == []
    assert writes(fleet.node("n2")) == [
        ("POST", "/admin/api/services/churn/actions/setMapping"),
        ("POST", "/admin/api/services/fraud/actions/switchTo/f3"),
    ]
    check(fleet_cli("fleet", "status", "--exit-code"))


def test_no_node_key_reaches_the_output_even_quoted_by_another_node(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, tmp_path: Path
) -> None:
    fleet = make_fleet("n1", "n2")
    # n1's client knows only n1's key; n2's key, quoted by n1, must be hidden all the same.
    other = fleet.node("n2").admin_key
    fleet.node("n1").add_fault(
        method="POST",
        path="/admin/api/services",
        status=400,
        body={"errorType": "BadRequest", "message": f"refused: {other}"},
    )
    path = tmp_path / "prod.toml"
    path.write_text("[services.churn]\n")
    result = fleet_cli("state", "apply", "-f", str(path), "-y", "-o", "json")
    check(result, 1)
    assert other not in result.stdout and other not in result.stderr
    n1 = json.loads(result.stdout)[0]
    assert n1["error"]["message"].endswith("refused: ****" + other[-4:])
    assert n1["result"]["changes"][0]["error"]["message"] == "refused: ****" + other[-4:]
