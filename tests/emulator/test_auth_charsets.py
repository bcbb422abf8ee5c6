"""Admin keys outside ASCII authenticate with what real clients send (Latin-1 or UTF-8)."""

from __future__ import annotations

import base64

import pytest
import requests
from dataikuapi import APINodeAdminClient as OfficialClient
from support.cli import check
from support.emulator import assert_error

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import start_emulator

KEY = "clé-secrète-123456"


@pytest.fixture
def latin_node(tmp_path):
    with start_emulator(data_dir=tmp_path, admin_key=KEY) as node:
        requests.post(
            node.uri + "/admin/api/services",
            json={"serviceId": "churn"},
            headers={"Authorization": _basic(KEY.encode("utf-8"))},
            timeout=10,
        )
        yield node


def _basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials + b":").decode()


def test_the_official_client(latin_node):
    assert OfficialClient(latin_node.uri, KEY).list_services() == [
        {"serviceId": "churn", "enabled": True}
    ]


def test_this_projects_client(latin_node):
    with APINodeAdminClient(latin_node.uri, KEY) as client:
        assert [s["serviceId"] for s in client.list_services()] == ["churn"]


def test_the_cli(latin_node, run_cli):
    env = {"APINODE_ADMIN_URI": latin_node.uri, "APINODE_ADMIN_API_KEY": KEY}
    result = run_cli("services", "list", "-o", "json", env=env)
    check(result)
    assert '"churn"' in result.stdout and KEY not in result.stdout + result.stderr


@pytest.mark.parametrize("charset", ["utf-8", "latin-1"])
def test_both_encodings_of_the_same_key(latin_node, charset):
    headers = {"Authorization": _basic(KEY.encode(charset))}
    response = requests.get(latin_node.uri + "/admin/api/services", headers=headers, timeout=10)
    assert response.status_code == 200, response.text


def test_another_key_in_either_encoding_is_refused(latin_node):
    for credentials in ("clé-secrète-12345".encode(), "clé".encode("latin-1"), b"\xff\xfe"):
        response = requests.get(
            latin_node.uri + "/admin/api/services",
            headers={"Authorization": _basic(credentials)},
            timeout=10,
        )
        assert_error(response, 401, "Invalid API key")
