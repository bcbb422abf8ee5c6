"""Every exit code of the contract's table, with stdout empty and the error on stderr."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from support.cli import RunCli, check, clean_env, closed_port_uri, start_cli


def failed(result: Result, code: int) -> dict[str, Any]:
    """Check a failure: exit code, nothing on stdout, `Error:` first; the JSON error if any."""
    check(result, code)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: "), result.stderr
    last = result.stderr.splitlines()[-1]
    if last.startswith("{"):
        error: dict[str, Any] = json.loads(last)["error"]
        assert set(error) == {"status", "errorType", "message"}
        return error
    return {}


# -- 0 ----------------------------------------------------------------------------------------


def test_0_on_success(node_cli: RunCli) -> None:
    result = node_cli("services", "list")
    check(result, 0)
    assert result.stderr == ""


# -- 1 ----------------------------------------------------------------------------------------


def test_1_on_a_400_from_the_node(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "empty"))
    error = failed(node_cli("services", "switch-to-newest", "empty", "-o", "json"), 1)
    assert error["status"] == 400
    assert error["errorType"] == "com.dataiku.dip.exceptions.DKUIllegalArgumentException"
    assert error["message"]


def test_1_on_an_injected_400(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", method="GET", status=400)
    result = node_cli("services", "list")
    failed(result, 1)
    assert "Injected fault" in result.stderr


def test_1_on_a_2xx_that_is_not_json(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", status=200, body='[{"serviceId": "s",')
    failed(node_cli("services", "list"), 1)


# -- 2 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("services", "list", "--bogus"),
        ("services", "create"),
        ("services", "frobnicate"),
        ("nope",),
        ("--timeout", "soon", "services", "list"),
        ("--retries", "0", "services", "list"),
    ],
    ids=[
        "unknown-option",
        "missing-argument",
        "unknown-command",
        "unknown-group",
        "bad-timeout",
        "bad-retries",
    ],
)
def test_2_on_bad_arguments(node_cli: RunCli, emulator: Any, args: tuple[str, ...]) -> None:
    result = node_cli(*args)
    check(result, 2)
    assert result.stdout == ""
    assert "Error" in result.stderr
    assert emulator.received == []


DESTRUCTIVE = [
    ("services", "delete", "churn"),
    ("services", "clean-unused"),
    ("keys", "delete", "--id", "abc"),
    ("keys", "delete", "some-secret"),
    ("code-envs", "clean"),
    ("model-cache", "clear"),
]


@pytest.mark.parametrize("args", DESTRUCTIVE)
def test_2_when_a_destructive_command_lacks_yes(
    node_cli: RunCli, emulator: Any, args: tuple[str, ...]
) -> None:
    emulator.clear_received()
    result = node_cli(*args, input="y\n")  # stdin is not a terminal: no prompt is read
    error = failed(node_cli(*args, "-o", "json"), 2)
    assert error["errorType"] == "UsageError"
    failed(result, 2)
    assert "--yes" in result.stderr
    assert [r for r in emulator.received if r["method"] == "DELETE"] == []


@pytest.mark.parametrize("args", DESTRUCTIVE)
def test_missing_yes_is_told_before_missing_settings(
    run_cli: RunCli, args: tuple[str, ...]
) -> None:
    result = run_cli(*args)
    failed(result, 2)
    assert "--yes" in result.stderr


def test_2_on_an_invalid_mapping(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "churn"))
    failed(node_cli("services", "set-mapping", "churn", "-", input="{"), 2)


# -- 3 ----------------------------------------------------------------------------------------


def test_3_without_uri_names_flag_env_and_config_key(run_cli: RunCli) -> None:
    result = run_cli("services", "list")
    failed(result, 3)
    for word in ("--uri", "APINODE_ADMIN_URI", "`uri`"):
        assert word in result.stderr


def test_3_without_key_names_flag_env_and_config_key(run_cli: RunCli, emulator: Any) -> None:
    result = run_cli("--uri", emulator.uri, "services", "list")
    failed(result, 3)
    for word in ("--api-key", "APINODE_ADMIN_API_KEY", "`api_key`", "--api-key-file"):
        assert word in result.stderr
    assert emulator.received == []


def test_3_json_error_object(run_cli: RunCli) -> None:
    error = failed(run_cli("services", "list", "-o", "json"), 3)
    assert error["status"] is None and error["errorType"] == "ConfigError"
    assert "--uri" in error["message"]


def test_3_on_invalid_config_toml(node_cli: RunCli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("default_profile = \n")
    result = node_cli("services", "list", env={"APINODE_ADMIN_CONFIG": str(config)})
    failed(result, 3)
    assert str(config) in result.stderr and "TOML" in result.stderr


def test_3_on_an_unreadable_key_file(node_cli: RunCli, tmp_path: Path) -> None:
    result = node_cli("--api-key-file", str(tmp_path / "missing"), "services", "list")
    failed(result, 3)
    assert "missing" in result.stderr


def test_3_on_an_unknown_named_profile(node_cli: RunCli, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.prod]\nuri = "http://prod:1"\n')
    env = {"APINODE_ADMIN_CONFIG": str(config)}
    result = node_cli("--profile", "staging", "services", "list", env=env)
    failed(result, 3)
    assert "staging" in result.stderr and "prod" in result.stderr


# -- 4, 5, 6 ----------------------------------------------------------------------------------


def test_4_on_a_wrong_key(run_cli: RunCli, emulator: Any) -> None:
    result = run_cli("--uri", emulator.uri, "--api-key", "wrong", "services", "list", "--json")
    error = failed(result, 4)
    assert error["status"] == 401
    assert error["errorType"] == "com.dataiku.dip.exceptions.UnauthorizedException"


def test_4_on_a_403(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/keys", status=403)
    failed(node_cli("keys", "list"), 4)


def test_5_on_an_unknown_service(node_cli: RunCli) -> None:
    result = node_cli("services", "enable", "ghost", "-o", "json")
    error = failed(result, 5)
    assert error["status"] == 404
    assert error["errorType"] == "com.dataiku.dip.exceptions.UnknownObjectException"
    assert "ghost" in error["message"]
    assert "Error: " in result.stderr and "ghost" in result.stderr.splitlines()[0]


def test_6_when_the_service_exists(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "churn"))
    error = failed(node_cli("services", "create", "churn", "-o", "json"), 6)
    assert error["status"] == 409
    assert error["errorType"] == "com.dataiku.dip.exceptions.ObjectAlreadyExistsException"


# -- 7 ----------------------------------------------------------------------------------------


def test_7_when_nothing_listens(run_cli: RunCli) -> None:
    uri = closed_port_uri()
    result = run_cli("--uri", uri, "--api-key", "k", "--retries", "1", "services", "list")
    failed(result, 7)
    assert uri.rsplit(":", 1)[1] in result.stderr


def test_7_on_503_after_retries(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", status=503, retryAfter=0, count=5)
    error = failed(node_cli("--retries", "1", "services", "list", "-o", "json"), 7)
    assert error["status"] == 503
    assert len([r for r in emulator.received if r["path"] == "/admin/api/services"]) == 1

    emulator.clear_received()
    failed(node_cli("services", "list", "--retries", "2"), 7)
    assert len([r for r in emulator.received if r["path"] == "/admin/api/services"]) == 2


def test_a_503_that_clears_within_the_retries_succeeds(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", status=503, retryAfter=0, count=2)
    result = node_cli("services", "list", "-o", "json")
    check(result, 0)
    assert result.stdout == "[]\n"


def test_7_on_a_read_timeout(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", delayMs=800, count=1)
    result = node_cli("--timeout", "0.2", "--retries", "1", "services", "list")
    failed(result, 7)


def test_7_on_a_dropped_connection(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", drop=True, count=5)
    failed(node_cli("--retries", "1", "services", "list"), 7)


# -- 130 --------------------------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
def test_130_on_ctrl_c(emulator: Any, config_home: Path) -> None:
    # A real process gets the signal, never the test runner: its own Ctrl-C must stay its own.
    emulator.add_fault(path="/admin/api/services", delayMs=1000, count=1)
    env = clean_env(
        config_home, APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key
    )
    proc = start_cli("services", "list", env=env, text=True)
    deadline = time.monotonic() + 20
    while not emulator.received:  # the request is on its way: interrupt the wait for it
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    assert out == ""
    assert err.strip() == "Interrupted."
