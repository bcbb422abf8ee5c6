"""state apply, services changed concurrently: each service's order, plan-order reports, stops."""

from __future__ import annotations

from typing import Any

from support.state import Archive, node_summary, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.state import (
    ChangeOutcome,
    apply_plan,
    parse_state_text,
    plan_node,
)

SERVICES = [f"s{i:02d}" for i in range(10)]


def state_text(archive: Archive, services: list[str] = SERVICES) -> str:
    return "".join(
        f'[services.{sid}]\ngenerations = {{ g{sid} = "{archive("g" + sid)}" }}\n'
        f'active = "g{sid}"\npreload = ["g{sid}"]\n\n'
        for sid in services
    )


def _service_of(path: str) -> str:
    parts = path.split("/")
    return parts[4] if len(parts) > 4 else ""


def _request_of(change: Any) -> tuple[str, str]:
    base = f"/admin/api/services/{change.service}"
    return {
        "create": ("POST", "/admin/api/services"),
        "import": ("POST", f"{base}/generations/actions/importFromArchive"),
        "preload": ("POST", f"{base}/generations/{change.generation}/preload"),
        "switch": ("POST", f"{base}/actions/switchTo/{change.generation}"),
        "delete": ("DELETE", base),
    }[change.action]


def test_services_change_at_once_each_in_its_own_order_reported_in_plan_order(
    emulator: EmulatorHandle, client: APINodeAdminClient, archive: Archive
) -> None:
    plan = plan_node(client, parse_state_text(state_text(archive)))
    # One creation takes 2 s: other services are switched meanwhile, before that one's import.
    # One change at a time in plan order, every import would come before any switch.
    emulator.add_fault(method="POST", path="/admin/api/services", delayMs=2000, count=1)
    emulator.clear_received()
    heard: list[ChangeOutcome] = []
    result = apply_plan(client, plan, heard.append, workers=4)
    assert result.ok
    assert [o.change for o in heard] == list(plan.changes)
    received = emulator.received
    order = [(r["method"], r["decoded_path"]) for r in received]
    imports = [i for i, (_, path) in enumerate(order) if path.endswith("/importFromArchive")]
    switches = [i for i, (_, path) in enumerate(order) if "/actions/switchTo/" in path]
    assert len(imports) == len(switches) == len(SERVICES)
    assert min(switches) < max(imports)
    # No read after the imports: the node's answer named the generation it created.
    assert [r for r in received if r["method"] == "GET"] == []
    for sid in SERVICES:
        mine = [w for w in writes(emulator) if _service_of(w[1]) == sid]
        expected = [_request_of(c) for c in plan.changes if c.service == sid]
        assert mine == [e for e in expected if e[1] != "/admin/api/services"]
    summary = node_summary(client)
    assert summary == {sid: (True, {f"g{sid}": 1.0}, [f"g{sid}"]) for sid in SERVICES}


def test_a_failure_stops_what_has_not_started_and_every_status_is_what_the_node_saw(
    emulator: EmulatorHandle, client: APINodeAdminClient, archive: Archive
) -> None:
    client.create_service("old")
    desired = parse_state_text(state_text(archive))
    plan = plan_node(client, desired, prune=True)
    assert plan.changes[-1].action == "delete"
    emulator.add_fault(
        method="POST",
        path="/admin/api/services/s03/generations/actions/importFromArchive",
        status=500,
    )
    emulator.clear_received()
    heard: list[ChangeOutcome] = []
    result = apply_plan(client, plan, heard.append, workers=4)
    assert not result.ok and result.exit_code == 7
    failed = result.failed
    assert failed is not None and (failed.change.service, failed.change.action) == (
        "s03",
        "import",
    )
    statuses = {(o.change.service, o.change.action): o.status for o in result.outcomes}
    assert statuses[("s03", "preload")] == statuses[("s03", "switch")] == "not run"
    assert statuses[("old", "delete")] == "not run"  # deletions wait for everything else
    # Reported in plan order, the not-run changes left out.
    assert [o.change for o in heard] == [o.change for o in result.outcomes if o.status != "not run"]
    sent = writes(emulator)
    for outcome in result.outcomes:
        request = _request_of(outcome.change)
        if outcome.change.action == "create":
            continue  # every create is the same request
        assert (request in sent) == (outcome.status != "not run"), outcome

    second = apply_plan(client, plan_node(client, desired, prune=True), workers=4)
    assert second.ok
    assert sorted(node_summary(client)) == SERVICES
