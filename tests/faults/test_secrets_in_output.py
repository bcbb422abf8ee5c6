"""The admin key never shows up in any output: raw, in its Basic form, or percent-encoded."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

import pytest
from click.testing import Result
from support.cli import RunCli, check, connected

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator

KEY = "Sekrit+Admin/Key=0123456789abcdefQRST"
WRONG = "Wrong+Guess/Key=9876543210zyxwvuLMNO"


def forms(secret: str) -> list[str]:
    """Every spelling of a secret that could leak: raw, Basic (with and without colon), URL."""
    basic = [base64.b64encode(text.encode()).decode() for text in (f"{secret}:", secret)]
    return [secret, *basic, *(b.rstrip("=") for b in basic), quote(secret, safe=""), secret[:-4]]


def assert_hidden(result: Result, *secrets: str) -> None:
    for secret in secrets:
        for form in forms(secret):
            assert form not in result.stdout, f"{form!r} on stdout:\n{result.stdout}"
            assert form not in result.stderr, f"{form!r} on stderr:\n{result.stderr}"


READ_ONLY = [
    ("services", "list"),
    ("keys", "list"),
    ("metrics", "show"),
    ("config", "show"),
    ("ping",),
]


@pytest.fixture
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    handle = start_emulator(data_dir=tmp_path_factory.mktemp("secret-node"), admin_key=KEY)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def cli(run_cli: RunCli, node: EmulatorHandle) -> RunCli:
    return connected(run_cli, node.uri, KEY)


def test_no_command_shows_the_key_even_verbose(
    cli: RunCli, node: EmulatorHandle, make_archive: Callable[..., Path], tmp_path: Path
) -> None:
    env_dir = tmp_path / "py39"
    env_dir.mkdir()
    archive = str(make_archive("v1"))
    commands: list[tuple[str, ...]] = [
        ("services", "create", "churn"),
        ("services", "list"),
        ("generations", "import", "churn", archive),
        ("generations", "list", "churn"),
        ("generations", "preload", "churn", "v1"),
        ("services", "switch-to-newest", "churn"),
        ("services", "switch-to", "churn", "v1"),
        ("services", "set-mapping", "churn", "--entry", "v1=1"),
        ("services", "disable", "churn"),
        ("services", "enable", "churn"),
        ("keys", "list"),
        ("metrics", "show"),
        ("code-envs", "import", str(env_dir), "--language", "python"),
        ("code-envs", "clean", "-y"),
        ("model-cache", "import", archive),
        ("model-cache", "clear", "-y"),
        ("services", "clean-unused", "-y"),
        ("services", "delete", "churn", "-y"),
        ("config", "show"),
        ("ping",),
    ]
    for args in commands:
        result = cli("-v", *args)
        check(result)
        assert_hidden(result, KEY)
    for args in READ_ONLY:
        for fmt in ("table", "plain", "tsv", "json"):
            result = cli("-v", *args, "-o", fmt)
            check(result)
            assert_hidden(result, KEY)
    # -v really logged the exchanges it hid the key from.
    assert "[http] GET" in cli("-v", "services", "list").stderr


def test_wrong_key_is_not_echoed(cli: RunCli) -> None:
    for extra in ((), ("-o", "json"), ("-v",)):
        result = cli("services", "list", *extra, env={"APINODE_ADMIN_API_KEY": WRONG})
        check(result, 4)
        assert_hidden(result, WRONG, KEY)
        result = cli("--api-key", WRONG, "keys", "list", *extra)
        check(result, 4)
        assert_hidden(result, WRONG, KEY)


def test_an_error_body_echoing_the_key_is_scrubbed(cli: RunCli, node: EmulatorHandle) -> None:
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    body = {
        "errorType": "com.example.ProxyError",
        "message": f"rejected key {KEY} (Authorization: Basic {basic})",
        "detailedMessage": f"header was Basic {basic}",
    }
    for extra in ((), ("-o", "json"), ("-v",)):
        node.add_fault(path="/admin/api/services", status=400, body=body)
        result = cli("services", "list", *extra)
        check(result, 1)
        assert "rejected key ****QRST" in result.stderr
        assert_hidden(result, KEY)


def test_a_5xx_page_echoing_the_key_is_scrubbed(cli: RunCli, node: EmulatorHandle) -> None:
    node.add_fault(path="/admin/api/services", status=502, body=f"<html>{KEY}</html>", count=3)
    result = cli("-v", "--retries", "1", "services", "list")
    check(result, 7)
    assert_hidden(result, KEY)


def test_keys_delete_messages_never_show_the_deleted_secret(cli: RunCli) -> None:
    created = cli("keys", "create", "--label", "temp", "-o", "json")
    check(created)
    secret = json.loads(created.stdout)["key"]
    refused = cli("-v", "keys", "delete", secret)
    check(refused, 2)
    assert_hidden(refused, secret, KEY)
    deleted = cli("-v", "keys", "delete", secret, "-y")
    check(deleted)
    assert_hidden(deleted, secret, KEY)
    assert "****" + secret[-4:] in deleted.stderr
    again = cli("-v", "keys", "delete", secret, "-y", "-o", "json")
    check(again, 5)
    assert_hidden(again, secret, KEY)


def test_config_show_masks_the_key_from_every_source(
    run_cli: RunCli, node: EmulatorHandle, tmp_path: Path
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    key_file.chmod(0o600)
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.default]\nuri = "{node.uri}"\napi_key = "{KEY}"\n')
    config.chmod(0o600)
    cases: list[tuple[tuple[str, ...], dict[str, str]]] = [
        (("--api-key", KEY), {}),
        ((), {"APINODE_ADMIN_API_KEY": KEY}),
        (("--api-key-file", str(key_file)), {}),
        ((), {"APINODE_ADMIN_CONFIG": str(config)}),
    ]
    for args, env in cases:
        for fmt in ("plain", "tsv", "json"):
            result = run_cli(*args, "-v", "config", "show", "-o", fmt, env=env)
            check(result)
            assert_hidden(result, KEY)
            assert "****QRST" in result.stdout


def test_loose_config_warning_does_not_show_the_key(
    run_cli: RunCli, node: EmulatorHandle, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.default]\nuri = "{node.uri}"\napi_key = "{KEY}"\n')
    config.chmod(0o644)
    result = run_cli("services", "list", env={"APINODE_ADMIN_CONFIG": str(config)})
    check(result)
    assert "Warning:" in result.stderr and "chmod 600" in result.stderr
    assert_hidden(result, KEY)
    quiet = run_cli("-q", "services", "list", env={"APINODE_ADMIN_CONFIG": str(config)})
    check(quiet)
    assert quiet.stderr == ""  # -q silences warnings too
