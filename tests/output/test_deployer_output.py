"""The deployer's secrets are hidden wherever they nest; mappings fit in one cell."""

from __future__ import annotations

import json

from apinode_admin_cli.output.deployer import hide_deployer_secrets, mapping_text

SETTINGS = {
    "type": "STATIC",
    "apiNodes": [
        {"url": "http://n1:12000", "adminAPIKey": "NODE-KEY-ONE", "graphitePrefix": None},
        {"url": "http://n2:12000", "adminAPIKey": "", "graphitePrefix": "p"},
    ],
}
LIGHT = {
    "deploymentBasicInfo": {"id": "d1"},
    "apiKeys": [{"key": "API-KEY-123", "createdBy": "admin", "createdOn": 17}],
    "settings": {"auth": {"apiKeys": [{"key": "API-KEY-456", "secret": "S-789"}]}},
}


def test_node_admin_keys_and_api_keys_are_hidden_at_any_depth() -> None:
    shown = hide_deployer_secrets([SETTINGS, LIGHT])
    text = json.dumps(shown)
    for secret in ("NODE-KEY-ONE", "API-KEY-123", "API-KEY-456", "S-789"):
        assert secret not in text
    assert shown[0]["apiNodes"][0]["adminAPIKey"] == "******"
    assert shown[0]["apiNodes"][1]["adminAPIKey"] == ""  # an empty value hides nothing
    assert shown[1]["apiKeys"] == [{"key": "******", "createdBy": "admin", "createdOn": 17}]
    assert SETTINGS["apiNodes"][0]["adminAPIKey"] == "NODE-KEY-ONE"  # the input is untouched


def test_api_keys_of_an_unexpected_shape_are_hidden_whole() -> None:
    assert hide_deployer_secrets({"apiKeys": "K"}) == {"apiKeys": "******"}
    assert hide_deployer_secrets({"apiKeys": ["K1", None]}) == {"apiKeys": ["******", None]}


def test_mapping_in_one_cell() -> None:
    assert mapping_text({"mode": "SINGLE_GENERATION", "generation": "v2"}) == "v2"
    multi = {
        "mode": "MULTI_GENERATION",
        "entries": [{"generation": "v1", "proba": 0.9}, {"generation": "v2", "proba": 0.1}],
    }
    assert mapping_text(multi) == "v1:90%,v2:10%"
    assert mapping_text(None) == ""
