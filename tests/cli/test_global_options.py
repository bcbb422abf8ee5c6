"""Global options: -v logging, -q, --no-color, TLS flags, --config, --help, --version."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, RunProc, check, clean_env, cli_command, default_sigint

LOG_LINE = re.compile(
    r"^\[http\] (GET|POST|DELETE) (http://127\.0\.0\.1:\d+/\S+) -> (\d{3}) .*\(\d+ ms, attempt"
)


def exchanges(stderr: str) -> list[tuple[str, str, str]]:
    found = []
    for line in stderr.splitlines():
        match = LOG_LINE.match(line)
        if match:
            found.append((match.group(1), match.group(2), match.group(3)))
    return found


# -- -v ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_verbose_logs_each_exchange(node_cli: RunCli, emulator: Any, where: str) -> None:
    args = ["services", "create", "churn"]
    args = ["-v", *args] if where == "before" else [*args, "--verbose"]
    result = node_cli(*args)
    check(result)
    assert result.stdout == ""
    assert exchanges(result.stderr) == [("POST", f"{emulator.uri}/admin/api/services/", "200")]
    result = node_cli("services", "list", "-v", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == [{"serviceId": "churn", "enabled": True}]
    assert exchanges(result.stderr) == [("GET", f"{emulator.uri}/admin/api/services", "200")]


def test_verbose_logs_every_attempt_and_the_error(node_cli: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", status=503, retryAfter=0, count=1)
    emulator.add_fault(path="/admin/api/services/ghost", status=404, count=1)
    result = node_cli("-v", "services", "list")
    check(result)
    url = f"{emulator.uri}/admin/api/services"
    assert exchanges(result.stderr) == [("GET", url, "503"), ("GET", url, "200")]
    result = node_cli("-v", "services", "delete", "ghost", "-y")
    check(result, 5)
    assert exchanges(result.stderr) == [("DELETE", f"{url}/ghost", "404")]
    assert "Traceback" in result.stderr  # tracebacks only under -v


def test_debug_env_is_verbose(node_cli: RunCli) -> None:
    result = node_cli("services", "list", env={"APINODE_ADMIN_DEBUG": "1"})
    check(result)
    assert len(exchanges(result.stderr)) == 1


def test_no_traceback_without_verbose(node_cli: RunCli) -> None:
    result = node_cli("services", "delete", "ghost", "-y")
    check(result, 5)
    assert "Traceback" not in result.stderr
    assert "[http]" not in result.stderr


def test_verbose_query_and_encoded_segments(
    node_cli: RunCli, emulator: Any, make_archive: Callable[..., Path]
) -> None:
    check(node_cli("services", "create", "a b"))
    archive = make_archive("v1")
    result = node_cli("-v", "generations", "import", "a b", str(archive))
    check(result)
    # The import is listed between two listings of generations (to learn its id).
    ((method, url, status),) = [e for e in exchanges(result.stderr) if e[0] == "POST"]
    assert status == "200"
    assert url.startswith(f"{emulator.uri}/admin/api/services/a%20b/generations/")
    assert "filePath=" in url


# -- -q, --no-color ---------------------------------------------------------------------------


def test_quiet_keeps_errors(node_cli: RunCli) -> None:
    result = node_cli("-q", "services", "create", "churn")
    check(result)
    assert result.stderr == ""
    result = node_cli("services", "create", "churn", "-q")
    check(result, 6)
    assert result.stderr.startswith("Error: ")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.parametrize("how", ["flag", "env", "empty-env"])
def test_no_color(node_cli: RunCli, emulator: Any, how: str) -> None:
    # Colour only ever goes to a terminal, so only a terminal can show it missing.
    args = ("--no-color",) if how == "flag" else ()
    env = {"NO_COLOR": "1" if how == "env" else ""} if how != "flag" else {}
    check(node_cli("services", "create", "churn"))
    for command, code in ((("services", "list"), 0), (("services", "delete", "ghost", "-y"), 5)):
        status, text = on_terminal(emulator, *command)
        assert status == code and "\x1b[" in text, text  # the baseline is coloured
        status, text = on_terminal(emulator, *args, *command, **env)
        assert status == code, text
        assert "\x1b[" not in text and ("churn" in text or "Error: " in text), text


# -- TLS options ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_check_certificate_always_warns(node_cli: RunCli, how: str) -> None:
    args = ("--no-check-certificate",) if how == "flag" else ()
    env = {"APINODE_ADMIN_NO_CHECK_CERTIFICATE": "1"} if how == "env" else {}
    result = node_cli(*args, "-q", "services", "list", "-o", "json", env=env)
    check(result)
    assert result.stdout == "[]\n"
    assert "TLS certificate verification is disabled" in result.stderr


def test_missing_ca_bundle_is_a_configuration_error(node_cli: RunCli, tmp_path: Path) -> None:
    result = node_cli("--ca-bundle", str(tmp_path / "missing.pem"), "services", "list")
    check(result, 3)
    assert result.stdout == ""
    assert "CA bundle" in result.stderr


# -- --config ---------------------------------------------------------------------------------


def test_config_flag_beats_config_env(run_cli: RunCli, emulator: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        f'[profiles.default]\nuri = "{emulator.uri}"\napi_key = "{emulator.admin_key}"\n'
    )
    good.chmod(0o600)
    bad = tmp_path / "bad.toml"
    bad.write_text("not toml at all = = =\n")
    env = {"APINODE_ADMIN_CONFIG": str(bad)}
    check(run_cli("services", "list", env=env), 3)
    result = run_cli("--config", str(good), "services", "list", env=env)
    check(result)
    result = run_cli("services", "list", "--config", str(good), env=env)
    check(result)


# -- commands that need no node ---------------------------------------------------------------


def test_version_and_help_need_no_settings(run_cli: RunCli) -> None:
    result = run_cli("--version")
    check(result)
    assert result.stdout.startswith("apinode-admin")
    for flag in ("-h", "--help"):
        result = run_cli(flag)
        check(result)
        assert "services" in result.stdout and "Examples:" in result.stdout


GROUPS = {
    "services": [
        "list",
        "create",
        "delete",
        "enable",
        "disable",
        "switch-to-newest",
        "switch-to",
        "set-mapping",
        "clean-unused",
    ],
    "generations": ["list", "import", "preload"],
    "keys": ["list", "create", "delete"],
    "metrics": ["show"],
    "code-envs": ["import", "register", "clean"],
    "model-cache": ["import", "clear"],
    "config": ["init", "show", "path", "set", "unset", "profiles"],
}


@pytest.mark.parametrize(
    "group, command",
    [(group, command) for group, commands in GROUPS.items() for command in commands],
)
def test_every_command_has_help_with_an_example(run_cli: RunCli, group: str, command: str) -> None:
    result = run_cli(group, command, "--help")
    check(result)
    assert "Example" in result.stdout
    assert f"apinode-admin {group} {command}" in result.stdout or (
        f"apinode-admin --profile prod {group} {command}" in result.stdout
    )
    assert result.stderr == ""


def test_group_help_lists_its_commands(run_cli: RunCli) -> None:
    for group, commands in GROUPS.items():
        result = run_cli(group, "--help")
        check(result)
        listed = result.stdout.split("Commands:")[1]
        for command in commands:
            assert re.search(rf"^\s+{re.escape(command)}\s", listed, re.M), (group, command)


def test_python_dash_m(emulator: Any, run_proc: RunProc) -> None:
    node = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
    proc = run_proc("services", "list", "-o", "json", env=node)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"
    assert proc.stderr == ""


# -- on a terminal ----------------------------------------------------------------------------


def on_terminal(emulator: Any, *args: str, answer: str = "", **env: str) -> tuple[int, str]:
    """Run the tool in a subprocess whose stdin, stdout and stderr are a pseudo-terminal."""
    # The test's own config home, set by the autouse isolation fixture.
    full = clean_env(
        Path(os.environ["XDG_CONFIG_HOME"]),
        APINODE_ADMIN_URI=emulator.uri,
        APINODE_ADMIN_API_KEY=emulator.admin_key,
        TERM="xterm-256color",
        COLUMNS="100",
        **env,
    )
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            cli_command(*args),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=full,
            close_fds=True,
        )
    finally:
        os.close(slave)
    if answer:
        os.write(master, answer.encode() + b"\n")  # the line discipline keeps it for the prompt
    transcript = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        transcript += chunk
    os.close(master)
    return proc.wait(timeout=30), transcript.decode(errors="replace")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_table_with_colour_on_a_terminal(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("services", "create", "churn"))
    code, text = on_terminal(emulator, "services", "list")
    assert code == 0, text
    assert "\x1b[" in text and "─" in text and "churn" in text
    code, text = on_terminal(emulator, "services", "list", NO_COLOR="1")
    assert code == 0, text
    assert "\x1b[" not in text and "─" in text and "churn" in text


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_destructive_command_asks_on_a_terminal(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("services", "create", "churn"))
    code, text = on_terminal(emulator, "--no-color", "services", "delete", "churn", answer="n")
    assert code == 1, text
    assert "Delete service churn? [y/N]" in text and "cancelled" in text
    assert list(emulator.app.store.read()["services"]) == ["churn"]  # still there
    code, text = on_terminal(emulator, "--no-color", "services", "delete", "churn", answer="y")
    assert code == 0, text
    assert "Deleted service churn." in text
    assert json.loads(node_cli("services", "list", "-o", "json").stdout) == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_ctrl_c_at_the_confirmation_prompt_exits_130(
    node_cli: RunCli, emulator: Any, config_home: Path
) -> None:
    import select
    import signal
    import time

    check(node_cli("services", "create", "churn"))
    env = clean_env(
        config_home, APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key
    )
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            cli_command("services", "delete", "churn"),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            close_fds=True,
            preexec_fn=default_sigint,
        )
    finally:
        os.close(slave)
    transcript = b""
    deadline = time.monotonic() + 15
    while b"[y/N]" not in transcript and time.monotonic() < deadline:
        if select.select([master], [], [], 0.1)[0]:
            transcript += os.read(master, 4096)
    time.sleep(0.3)  # let it block reading the answer
    proc.send_signal(signal.SIGINT)
    code = proc.wait(timeout=15)
    while select.select([master], [], [], 0.1)[0]:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        transcript += chunk
    os.close(master)
    text = transcript.decode(errors="replace")
    assert code == 130, text
    assert "Interrupted." in text and "Traceback" not in text
    assert "churn" in json.loads(node_cli("services", "list", "-o", "json").stdout)[0]["serviceId"]


def test_parallel_without_a_fleet_is_said_to_be_ignored(node_cli: RunCli) -> None:
    result = node_cli("--parallel", "4", "services", "list")
    check(result)
    assert "--parallel is for fleets (--fleet NAME): ignored on one node" in result.stderr
