"""Export: a node's state as a state file that plans to no change and applies with no write."""

from __future__ import annotations

import json

import pytest
from support.state import Archive, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import NotFoundError
from apinode_admin_cli.state import (
    apply_plan,
    dumps_state_json,
    dumps_state_toml,
    export_state,
    parse_state_text,
    plan_node,
)

ODD = 'odd "id" é.x'


@pytest.fixture
def busy_node(client: APINodeAdminClient, archive: Archive) -> APINodeAdminClient:
    """churn at 90/10 (one generation preloaded), fraud disabled on f3, bare, and an odd id."""
    for sid in ("churn", "fraud", "bare", ODD):
        client.create_service(sid)
    churn = client.service("churn")
    for gen in ("v1", "v2", "v3"):
        churn.import_generation_from_archive(archive(gen))
    churn.set_generations_mapping(
        {"entries": [{"generation": "v2", "proba": 0.5000001}, {"generation": "v1", "proba": 0.5}]}
    )
    churn.preload_generation("v2")
    fraud = client.service("fraud")
    fraud.import_generation_from_archive(archive("f3"))
    fraud.switch_to_single_generation("f3")
    fraud.disable()
    client.service(ODD).import_generation_from_archive(archive("g"))
    return client


def test_export_structure(busy_node: APINodeAdminClient) -> None:
    data = export_state(busy_node)
    assert data == {
        "services": {
            "bare": {"enabled": True},
            "churn": {
                "enabled": True,
                "generations": {"v1": "", "v2": "", "v3": ""},
                "mapping": {"v1": 0.5, "v2": 0.5000001},
            },
            "fraud": {"enabled": False, "generations": {"f3": ""}, "active": "f3"},
            ODD: {"enabled": True, "generations": {"g": ""}},
        }
    }


def test_export_toml_text(busy_node: APINodeAdminClient) -> None:
    text = dumps_state_toml(export_state(busy_node, ["fraud", ODD, "churn"]))
    assert text == (
        "[services.fraud]\n"
        "enabled = false\n"
        'generations = { f3 = "" }\n'
        'active = "f3"\n'
        "\n"
        '[services."odd \\"id\\" é.x"]\n'
        "enabled = true\n"
        'generations = { g = "" }\n'
        "\n"
        "[services.churn]\n"
        "enabled = true\n"
        'generations = { v1 = "", v2 = "", v3 = "" }\n'
        "mapping = { v1 = 0.5, v2 = 0.5000001 }\n"
    )


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_export_then_apply_sends_no_write(
    emulator: EmulatorHandle, busy_node: APINodeAdminClient, fmt: str
) -> None:
    data = export_state(busy_node)
    text = dumps_state_toml(data) if fmt == "toml" else dumps_state_json(data)
    desired = parse_state_text(text, "exported", fmt)
    emulator.clear_received()
    plan = plan_node(busy_node, desired, prune=True)
    assert plan.changes == () and plan.unmanaged == ()
    assert apply_plan(busy_node, plan).outcomes == ()
    assert writes(emulator) == []


def test_export_json_is_the_same_structure(busy_node: APINodeAdminClient) -> None:
    data = export_state(busy_node, ["churn"])
    assert json.loads(dumps_state_json(data)) == data


def test_export_of_an_unknown_service_is_not_found(client: APINodeAdminClient) -> None:
    client.create_service("churn")
    with pytest.raises(NotFoundError) as info:
        export_state(client, ["churn", "nope"])
    assert info.value.exit_code == 5
    assert str(info.value) == "service 'nope' not found on the node"
    assert info.value.hint == "services on the node: churn"


def test_export_of_an_empty_node_is_a_valid_empty_file(client: APINodeAdminClient) -> None:
    text = dumps_state_toml(export_state(client))
    assert text == "[services]\n"
    assert parse_state_text(text).services == ()
