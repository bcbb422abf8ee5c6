"""A node whose 2xx answer echoes the admin key (issue 22 item 12): stdout never shows it.

Raw, base64 in an ``Authorization`` value, in a created object or as a metrics name; single
node and fleet; plain and JSON.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

import pytest
from support.cli import RunCli, check

ADMIN = "/admin/api"


def _spellings(secret: str) -> list[str]:
    basic = [base64.b64encode(text.encode()).decode() for text in (f"{secret}:", secret)]
    return [secret, *basic, *(b.rstrip("=") for b in basic)]


def _echoing(key: str) -> dict[str, tuple[str, str, str, tuple[str, ...]]]:
    basic = base64.b64encode(f"{key}:".encode()).decode()
    return {
        "created-object": (
            "POST",
            f"{ADMIN}/services",
            json.dumps({"serviceId": "s", "createdWith": key, "auth": f"Basic {basic}"}),
            ("services", "create", "s"),
        ),
        "metrics-name": (
            "GET",
            f"{ADMIN}/metrics",
            json.dumps({"by_key": {key: 3, f"Basic {basic}": 1}, "requests": 4}),
            ("metrics", "show"),
        ),
        "listing": (
            "GET",
            f"{ADMIN}/services",
            json.dumps([{"serviceId": "s", "enabled": True, "note": f"sent {key}"}]),
            ("services", "list"),
        ),
    }


@pytest.mark.parametrize("output", ["plain", "json", "tsv"])
@pytest.mark.parametrize("case", ["created-object", "metrics-name", "listing"])
def test_a_2xx_answer_echoing_the_key_is_scrubbed_on_a_node(
    node_cli: RunCli, emulator: Any, case: str, output: str
) -> None:
    method, path, body, command = _echoing(emulator.admin_key)[case]
    emulator.add_fault(
        method=method, path=path, status=200, body=body, contentType="application/json"
    )
    result = node_cli(*command, "-o", output)
    check(result)
    for form in _spellings(emulator.admin_key):
        assert form not in result.stdout and form not in result.stderr, (form, result.stdout)
    if output == "json":
        json.loads(result.stdout)  # still the node's answer, as JSON


@pytest.mark.parametrize("output", ["plain", "json"])
def test_on_a_fleet_every_nodes_key_is_scrubbed_from_every_answer(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, output: str
) -> None:
    fleet = make_fleet("n1", "n2")
    keys = [fleet.node(name).admin_key for name in ("n1", "n2")]
    for name in ("n1", "n2"):
        # Each node echoes both keys: the other node's too must not show.
        body = json.dumps({"requests": 1, "seen": {k: 1 for k in keys}})
        fleet.node(name).add_fault(
            method="GET", path=f"{ADMIN}/metrics", status=200, body=body,
            contentType="application/json",
        )  # fmt: skip
    result = fleet_cli("metrics", "show", "-o", output)
    check(result)
    for key in keys:
        for form in _spellings(key):
            assert form not in result.stdout, (form, result.stdout)


@pytest.mark.parametrize(
    "uri", ["http://127.0.0.1:1/?token=Query-Secret-0042", "http://127.0.0.1:1/#Query-Secret-0042"]
)
def test_a_profile_uri_with_a_secret_in_its_query_is_not_repeated(
    run_cli: RunCli, config_home: Any, uri: str
) -> None:
    config = config_home / "apinode-admin" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[profiles.p]\nuri = "{uri}"\napi_key = "some-admin-key-123"\n')
    config.chmod(0o600)
    result = run_cli("--profile", "p", "services", "list")
    assert result.exit_code == 3, result.output
    assert "has a query or fragment" in result.stderr
    assert "Query-Secret-0042" not in result.output


def test_stdin_cannot_feed_both_the_key_and_the_mapping(run_cli: RunCli, emulator: Any) -> None:
    """Issue 22, smaller things: said as such, not as a JSON error on an emptied stream."""
    body = emulator.admin_key + '\n{"entries": [{"generation": "v1", "proba": 1}]}'
    result = run_cli(
        "--uri", emulator.uri, "--api-key-file", "-", "services", "set-mapping", "churn", "-",
        input=body,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "standard input cannot feed both the API key (--api-key-file -)" in result.stderr
    assert emulator.admin_key not in result.output
    key = emulator.admin_key + "\n"
    alone = run_cli("--uri", emulator.uri, "--api-key-file", "-", "services", "list", input=key)
    check(alone)  # the key alone on stdin still works
