"""The original commands print the keys a node lists, as Dataiku's tool does; `keys list` masks.

Nodes before DSS 13.1 list their admin keys in clear and give them no id; nodes that hash keys
list ``"key": "******"`` with an id. An old node's listing is played here by the emulator's
fault injection, over keys that really exist on it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.cli import RunCli, check

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle


def old_node_lists(emulator: EmulatorHandle, records: list[dict[str, Any]]) -> None:
    """The next GET keys answers as a node before 13.1 would: secrets in clear, no id."""
    listing = [{k: v for k, v in r.items() if k != "id"} for r in records]
    emulator.add_fault(method="GET", path="/admin/api/keys", status=200, body=listing)


@pytest.fixture
def ansible_key(client: APINodeAdminClient) -> dict[str, Any]:
    created = client.auth().add_key("dss-ansible-admin", None, "admin")
    assert isinstance(created, dict)
    return created


def test_admin_keys_list_prints_the_keys_an_old_node_lists(
    node_cli: RunCli, emulator: EmulatorHandle, ansible_key: dict[str, Any]
) -> None:
    old_node_lists(emulator, [ansible_key])
    result = node_cli("admin-keys-list", "--output", "json")
    check(result)
    listed = json.loads(result.stdout)
    assert listed == [{k: v for k, v in ansible_key.items() if k != "id"}]
    assert listed[0]["key"] == ansible_key["key"] != "******"
    assert result.stdout.count("\n") == 1 and result.stderr == ""
    old_node_lists(emulator, [ansible_key])
    result = node_cli("admin-keys-list", "--no-header")
    check(result)
    assert result.stdout.split() == [ansible_key["key"], "dss-ansible-admin"]


def test_a_hashing_nodes_listing_keeps_its_mask_and_ids(
    node_cli: RunCli, ansible_key: dict[str, Any]
) -> None:
    result = node_cli("admin-keys-list", "--output", "json")
    check(result)
    mine = [k for k in json.loads(result.stdout) if k.get("label") == "dss-ansible-admin"]
    assert [(k["key"], k["id"]) for k in mine] == [("******", ansible_key["id"])]
    assert ansible_key["key"] not in result.stdout


def test_keys_list_masks_unless_asked(
    node_cli: RunCli, emulator: EmulatorHandle, ansible_key: dict[str, Any]
) -> None:
    secret = ansible_key["key"]
    for args in (("-o", "json"), ("-o", "tsv"), ()):
        old_node_lists(emulator, [ansible_key])
        result = node_cli("keys", "list", *args)
        check(result)
        assert secret not in result.stdout + result.stderr, args
    old_node_lists(emulator, [ansible_key])
    result = node_cli("keys", "list", "--show-secrets", "-o", "json")
    check(result)
    assert [k["key"] for k in json.loads(result.stdout)] == [secret]
    old_node_lists(emulator, [ansible_key])
    result = node_cli("keys", "list", "--show-secrets", "-o", "tsv", "--no-headers")
    check(result)
    assert result.stdout.split("\t")[1] == secret


def test_dss_get_credentials_on_an_old_node(
    node_cli: RunCli, emulator: EmulatorHandle, ansible_key: dict[str, Any]
) -> None:
    """dataiku.dss.dss_get_credentials: the key found by label is deleted by its secret."""
    old_node_lists(emulator, [ansible_key])
    listed = json.loads(node_cli("admin-keys-list", "--output", "json").stdout)
    found = next(k for k in listed if k.get("label") == "dss-ansible-admin")
    assert found["key"] != "******"  # the module would otherwise look for an id
    deleted = node_cli("admin-key-delete", found["key"])
    check(deleted)
    assert deleted.stdout == "OK\n"
    again = node_cli("admin-key-delete", found["key"])
    check(again)
    assert again.stdout == "KEY NOT FOUND\n"
    created = node_cli("admin-key-create", "--output", "json", "--label", "dss-ansible-admin")
    check(created)
    assert json.loads(created.stdout)["key"] not in ("******", found["key"])
