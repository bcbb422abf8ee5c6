"""``services list``: the ERROR column shows only when a service has one to show."""

from __future__ import annotations

from support.cli import RunCli
from support.fault_server import TinyServer, json_answer

FAILED = [
    {"serviceId": "churn", "enabled": True},
    {"serviceId": "fraud", "enabled": True, "startAbortedReason": "code env py39 is missing"},
]


def test_a_service_that_failed_to_start_brings_the_error_column(run_cli: RunCli) -> None:
    # The emulator starts every service it keeps: only a node can say a start was aborted.
    with TinyServer(json_answer("200 OK", FAILED)) as server:
        env = {"APINODE_ADMIN_URI": server.uri, "APINODE_ADMIN_API_KEY": "k"}
        result = run_cli("services", "list", "-o", "tsv", env=env)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "SERVICE\tENABLED\tERROR",
        "churn\ttrue\t",
        "fraud\ttrue\tcode env py39 is missing",
    ]


def test_no_error_no_column(run_cli: RunCli) -> None:
    with TinyServer(json_answer("200 OK", FAILED[:1])) as server:
        env = {"APINODE_ADMIN_URI": server.uri, "APINODE_ADMIN_API_KEY": "k"}
        result = run_cli("services", "list", env=env)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == ["SERVICE    ENABLED", "churn      true"]
