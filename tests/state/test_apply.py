"""Plans applied on a real emulator: convergence, no writes when converged, failure, prune."""

from __future__ import annotations

import pytest
from support.state import Archive, node_summary, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.state import (
    ChangeOutcome,
    apply_plan,
    parse_state_text,
    plan_lines,
    plan_node,
    read_node_state,
)


def state_text(archive: Archive) -> str:
    return f"""
[services.churn]
generations = {{ v1 = "{archive("v1")}", v2 = "{archive("v2")}" }}
mapping = {{ v1 = 0.9, v2 = "10%" }}
preload = ["v2"]

[services.fraud]
enabled = false
active = "f3"
generations = {{ f3 = "{archive("f3")}" }}
"""


CONVERGED = {
    # Every generation that took traffic is loaded (mounted), even in a service disabled since.
    "churn": (True, {"v1": 0.9, "v2": 0.1}, ["v1", "v2"]),
    "fraud": (False, {"f3": 1.0}, ["f3"]),
}


def test_apply_converges_then_sends_no_write(
    emulator: EmulatorHandle, client: APINodeAdminClient, archive: Archive
) -> None:
    desired = parse_state_text(state_text(archive))
    plan = plan_node(client, desired)
    assert [c.action for c in plan.changes] == [
        "create",
        "create",
        "import",
        "import",
        "import",
        "preload",
        "set-mapping",
        "switch",
        "disable",
    ]
    heard: list[ChangeOutcome] = []
    result = apply_plan(client, plan, heard.append)
    assert result.ok and result.exit_code == 0
    assert [o.change for o in heard] == list(plan.changes)
    assert all(o.status == "done" for o in heard)
    assert node_summary(client) == CONVERGED

    emulator.clear_received()
    again = plan_node(client, desired)
    assert plan_lines(again) == ["No changes."]
    assert apply_plan(client, again).outcomes == ()
    assert writes(emulator) == []


def test_partial_node_gets_only_what_it_lacks(
    emulator: EmulatorHandle, client: APINodeAdminClient, archive: Archive
) -> None:
    client.create_service("churn")
    client.service("churn").import_generation_from_archive(archive("v1"))
    client.service("churn").switch_to_single_generation("v1")
    client.service("churn").disable()
    emulator.clear_received()
    plan = plan_node(client, parse_state_text(state_text(archive)))
    result = apply_plan(client, plan)
    assert result.ok
    assert writes(emulator) == [
        ("POST", "/admin/api/services"),
        ("POST", "/admin/api/services/churn/generations/actions/importFromArchive"),
        ("POST", "/admin/api/services/fraud/generations/actions/importFromArchive"),
        ("POST", "/admin/api/services/churn/generations/v2/preload"),
        ("POST", "/admin/api/services/churn/actions/setMapping"),
        ("POST", "/admin/api/services/fraud/actions/switchTo/f3"),
        ("POST", "/admin/api/services/fraud/actions/disable"),
    ]
    assert node_summary(client) == CONVERGED


def test_a_failure_stops_the_run_and_a_second_apply_finishes(
    emulator: EmulatorHandle, client: APINodeAdminClient, archive: Archive
) -> None:
    desired = parse_state_text(state_text(archive))
    mapping_path = "/admin/api/services/churn/actions/setMapping"
    emulator.add_fault(method="POST", path=mapping_path, status=500)
    heard: list[ChangeOutcome] = []
    result = apply_plan(client, plan_node(client, desired), heard.append)
    assert not result.ok
    failed = result.failed
    assert failed is not None and failed.change.action == "set-mapping"
    assert failed.error is not None and "Injected fault: HTTP 500" in str(failed.error)
    assert result.exit_code == 7
    assert [o.change.action for o in result.done] == [
        "create",
        "create",
        "import",
        "import",
        "import",
        "preload",
    ]
    assert [o.change.action for o in result.not_run] == ["switch", "disable"]
    assert heard[-1] is failed and len(heard) == 7  # the not-run changes are not "heard"
    assert result.to_json()["changes"][6]["error"]["exitCode"] == 7
    assert result.to_json()["changes"][7]["status"] == "not run"

    second = plan_node(client, desired)
    assert [c.action for c in second.changes] == ["set-mapping", "switch", "disable"]
    assert apply_plan(client, second).ok
    assert node_summary(client) == CONVERGED


def test_prune_deletes_unmanaged_services_only_when_asked(
    emulator: EmulatorHandle, client: APINodeAdminClient, archive: Archive
) -> None:
    for sid in ("keep", "old1", "old2"):
        client.create_service(sid)
    desired = parse_state_text("[services.keep]\n")
    plan = plan_node(client, desired)
    assert plan.changes == () and plan.unmanaged == ("old1", "old2")
    pruning = plan_node(client, desired, prune=True)
    assert plan_lines(pruning) == ["- service old1 (prune)", "- service old2 (prune)"]
    assert apply_plan(client, pruning).ok
    assert [s["serviceId"] for s in client.list_services()] == ["keep"]
    emulator.clear_received()
    assert plan_node(client, desired, prune=True).changes == ()
    assert writes(emulator) == []


def test_missing_must_exist_generation_fails_before_any_write(
    emulator: EmulatorHandle, client: APINodeAdminClient
) -> None:
    client.create_service("churn")
    emulator.clear_received()
    desired = parse_state_text('[services.churn]\ngenerations = { v1 = "" }\n')
    with pytest.raises(UsageError, match="generation 'v1' is declared \"\""):
        plan_node(client, desired)
    assert writes(emulator) == []


def test_an_archive_with_another_generation_id_fails_clearly(
    client: APINodeAdminClient, archive: Archive
) -> None:
    path = archive("other")
    desired = parse_state_text(f'[services.s]\ngenerations = {{ v1 = "{path}" }}\nactive = "v1"\n')
    result = apply_plan(client, plan_node(client, desired))
    assert result.failed is not None and result.exit_code == 1
    assert str(result.failed.error) == (
        f"importing {path} into 's' gave no generation 'v1'; the service has: other"
    )
    assert [o.change.action for o in result.not_run] == ["switch"]


def test_read_node_state_fetches_generations_concurrently_and_in_order(
    client: APINodeAdminClient, archive: Archive
) -> None:
    path = archive("g")
    ids = [f"s{i:02d}" for i in range(12)]
    for sid in ids:
        client.create_service(sid)
        client.service(sid).import_generation_from_archive(path)
    state = read_node_state(client, workers=4)
    assert [s.service_id for s in state.services] == ids
    assert all(s.generation_ids() == ["g"] for s in state.services)
    partial = read_node_state(client, {"s03"})
    assert [s.service_id for s in partial.services if s.generations is not None] == ["s03"]
