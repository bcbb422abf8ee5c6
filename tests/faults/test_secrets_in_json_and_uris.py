"""Secrets a node returns stay masked in JSON too (but in the original tool's listing, as it did);
a URI's user-info part is never echoed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check
from support.faults import assert_clean_failure

from apinode_admin_cli.client.urls import hide_userinfo
from apinode_admin_cli.config import dumps_toml
from apinode_admin_cli.emulator import start_emulator

KEYS = "/admin/api/keys"
NODE_SECRET = "Node-Returned-Secret-0123456789abcdefXYZW"
LISTED = [
    {"id": "k1", "key": NODE_SECRET, "label": "ci", "createdBy": "ops"},
    {"id": "k2", "label": "hashed"},
    {"id": "k3", "key": None, "label": "null"},
]


def _leaks(text: str) -> bool:
    return NODE_SECRET in text or NODE_SECRET[:-4] in text


@pytest.mark.parametrize("output", ["json", "table", "plain", "tsv"])
def test_keys_list_masks_a_secret_the_node_returns(
    node_cli: RunCli, emulator: Any, output: str
) -> None:
    emulator.add_fault(method="GET", path=KEYS, status=200, body=LISTED)
    result = node_cli("keys", "list", "-o", output)
    check(result)
    assert not _leaks(result.stdout + result.stderr)
    if output == "json":
        # The original tool's form, which Dataiku's automation tests for; the rest as sent.
        assert json.loads(result.stdout) == [
            {"id": "k1", "key": "******", "label": "ci", "createdBy": "ops"},
            {"id": "k2", "label": "hashed"},
            {"id": "k3", "key": None, "label": "null"},
        ]


@pytest.mark.parametrize("output", ["json", "fancy"])
def test_the_original_keys_list_prints_what_the_node_listed(
    node_cli: RunCli, emulator: Any, output: str
) -> None:
    """As Dataiku's tool does: scripts written for it reuse or delete an old node's keys."""
    emulator.add_fault(method="GET", path=KEYS, status=200, body=LISTED)
    result = node_cli("admin-keys-list", "--output", output)
    check(result)
    assert result.stderr == ""
    if output == "json":
        # A key left out reads as a hashing node's "******", so that such scripts take the id.
        assert [k["key"] for k in json.loads(result.stdout)] == [NODE_SECRET, "******", None]
    else:
        assert [line.split()[0] for line in result.stdout.splitlines()[2:]] == [
            NODE_SECRET,
            "******",
            "-",
        ]


@pytest.mark.parametrize("output", ["json", "tsv"])
def test_a_fleet_masks_it_on_every_node(
    run_cli: RunCli, emulator: Any, config_home: Path, tmp_path: Path, output: str
) -> None:
    with start_emulator(data_dir=tmp_path / "b") as other:
        config = config_home / "apinode-admin" / "config.toml"
        config.parent.mkdir(parents=True)
        profiles = {"a": emulator, "b": other}
        data = {
            "profiles": {n: {"uri": h.uri, "api_key": h.admin_key} for n, h in profiles.items()},
            "fleets": {"prod": {"profiles": ["a", "b"]}},
        }
        config.write_text(dumps_toml(data))
        config.chmod(0o600)
        for handle in profiles.values():
            handle.add_fault(method="GET", path=KEYS, status=200, body=LISTED)
        result = run_cli("--fleet", "prod", "keys", "list", "-o", output)
    check(result)
    assert not _leaks(result.stdout + result.stderr)
    if output == "json":
        shown = json.loads(result.stdout)
        assert [n["result"][0]["key"] for n in shown] == ["******", "******"]


def test_keys_create_json_shows_the_new_secret_once(node_cli: RunCli, emulator: Any) -> None:
    """Printing the new secret is what `keys create` is for, in JSON as in text."""
    result = node_cli("keys", "create", "--label", "deploy", "-o", "json")
    check(result)
    created = json.loads(result.stdout)
    held = [k for k in emulator.app.store.read()["keys"] if k["id"] == created["id"]]
    assert held and held[0]["label"] == "deploy"
    listed = node_cli("--api-key", created["key"], "keys", "list", "-o", "json")
    check(listed)  # the printed secret is the real one: the node takes it
    assert created["key"] not in listed.stdout


def test_config_show_json_masks_the_key(node_cli: RunCli, emulator: Any) -> None:
    result = node_cli("config", "show", "-o", "json")
    check(result)
    shown = json.loads(result.stdout)
    assert emulator.admin_key not in result.stdout
    assert shown["api_key"]["value"] == "****" + emulator.admin_key[-4:]
    assert shown["api_key"]["source"] == "env APINODE_ADMIN_API_KEY"


# -- URIs with credentials -------------------------------------------------------------------

BAD_URIS = [
    "http://user:SECRET-pw@host:1x",
    "ftp://SECRET-KEY@h",
    "SECRET-KEY@host:12000",
    "http://user:SECRET-pw@host:12000/admin",
    "http://SECRET-KEY@host/?q=1",
    "http://u:SECRET-pw@[::1",
    "http:/user:SECRET-pw@host:12000",
    "http:///SECRET-KEY@host",
    "https://user:SE@CRET-pw@host",
    "http://user:SECRET-pw@host:12000",
]


def _assert_no_userinfo(*texts: str) -> None:
    for text in texts:
        assert "SECRET" not in text and "CRET-" not in text, text


@pytest.mark.parametrize("uri", BAD_URIS)
def test_hide_userinfo_leaves_no_part_of_it(uri: str) -> None:
    shown = hide_userinfo(uri)
    _assert_no_userinfo(shown)
    assert "***@" in shown


@pytest.mark.parametrize("uri", BAD_URIS)
@pytest.mark.parametrize("verbose", [(), ("-v",)])
def test_a_uri_with_credentials_is_never_echoed(
    run_cli: RunCli, config_home: Path, uri: str, verbose: tuple[str, ...]
) -> None:
    config = config_home / "apinode-admin" / "config.toml"
    channels: list[tuple[tuple[str, ...], Any, int]] = [
        (("--uri", uri, "--api-key", "k", "services", "list"), None, 2),
        (("services", "list"), {"APINODE_ADMIN_URI": uri, "APINODE_ADMIN_API_KEY": "k"}, 3),
        (("config", "show"), {"APINODE_ADMIN_URI": uri}, 3),
        (("config", "set", "uri", uri), None, 2),
        (("config", "set", "uri", "-"), None, 2),
        (("config", "init", "--uri", uri, "--api-key", "k", "--no-verify"), None, 2),
    ]
    for args, env, code in channels:
        result = run_cli(*verbose, *args, env=env, input=uri)
        assert result.exit_code == code, (args, result.output)
        _assert_no_userinfo(result.stdout, result.stderr)
        if not verbose:
            assert_clean_failure(result.stderr)
        else:
            assert "Traceback" in result.stderr  # -v shows it, without the user-info too
    assert not config.exists()  # nothing was saved
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.default]\nuri = "{uri}"\napi_key = "k"\n')
    os.chmod(config, 0o600)
    for args in (("services", "list"), ("config", "show", "-o", "json"), ("ping",)):
        result = run_cli(*verbose, *args)
        assert result.exit_code == 3, (args, result.output)
        _assert_no_userinfo(result.stdout, result.stderr)
        assert "***@" in result.stderr


def test_a_key_the_node_echoes_in_its_error_type_is_scrubbed_from_the_json_error(
    node_cli: RunCli, emulator: Any
) -> None:
    body = {"errorType": f"Bad key {emulator.admin_key}", "message": "refused"}
    emulator.add_fault(method="POST", path="/admin/api/services", status=400, body=body)
    result = node_cli("services", "create", "churn", "-o", "json")
    check(result, 1)
    assert emulator.admin_key not in result.stdout + result.stderr
    error = json.loads(result.stderr.splitlines()[-1])["error"]
    assert error["errorType"].startswith("Bad key ") and error["message"] == "refused"
