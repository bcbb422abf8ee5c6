"""A key is scrubbed in every encoding the tool may send, non-ASCII keys included."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from support.cli import RunCli
from support.fault_server import TinyServer, echo_error

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.errors import APIError
from apinode_admin_cli.redact import scrub

KEYS = ["clé-secrète-123456", "Ünïcode key+with/slash=and space", "plain-ascii-key-0123456789"]


def spellings(key: str) -> list[str]:
    """Every way the key may travel, worked out here independently of the code under test."""
    forms = [key, json.dumps(key)[1:-1]]
    for encoding in ("utf-8", "latin-1"):
        raw = key.encode(encoding)
        forms += [quote(raw, safe=""), quote(raw, safe="").lower(), quote_plus(raw, safe="")]
        for pair in (raw + b":", raw):
            b64 = base64.b64encode(pair).decode()
            forms += [b64, b64.rstrip("=")]
    return [f for f in forms if len(f) >= 8]


def assert_hidden(text: str, key: str) -> None:
    for form in spellings(key):
        assert form not in text, (form, text)


@pytest.mark.parametrize("key", KEYS)
def test_scrub_covers_every_spelling(key: str) -> None:
    for form in spellings(key):
        text = f"before {form} after"
        scrubbed = scrub(text, [key])
        assert_hidden(scrubbed, key)
        assert scrubbed.startswith("before ") and scrubbed.endswith(" after")


@pytest.mark.parametrize("extra", [(), ("-v",), ("-o", "json"), ("-v", "-o", "json")])
@pytest.mark.parametrize("key", KEYS[:2])
def test_an_echoed_latin1_authorization_is_scrubbed(
    run_cli: RunCli, key: str, extra: tuple[str, ...]
) -> None:
    with TinyServer(echo_error()) as server:
        verbose = [x for x in extra if x == "-v"]
        output = [x for x in extra if x != "-v"]
        args = ["--uri", server.uri, "--api-key", key, *verbose, "services", "list", *output]
        result = run_cli(*args)
    assert result.exit_code == 1, result.output
    sent = server.requests[0].decode("latin-1")
    latin1 = base64.b64encode(f"{key}:".encode("latin-1")).decode()
    assert f"Authorization: Basic {latin1}" in sent  # what requests really sends
    assert "you sent Authorization: Basic ****" in result.stderr
    assert_hidden(result.stdout + result.stderr, key)


@pytest.mark.parametrize("key", KEYS[:2])
def test_library_errors_hold_no_spelling(key: str) -> None:
    server = TinyServer(echo_error())
    with server, APINodeAdminClient(server.uri, key) as client, pytest.raises(APIError) as info:
        client.get_metrics()
    err: Any = info.value
    assert_hidden(" ".join([str(err), repr(err), str(err.detailed_message), str(err.hint)]), key)
