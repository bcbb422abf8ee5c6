"""Real processes whose reader goes away early, and Ctrl-C at the worst moments."""

from __future__ import annotations

import importlib.util
import os
import py_compile
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from support.cli import clean_env, cli_command, default_sigint, start_cli

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX pipes and signals")

# Long ids so that the listing is well beyond a pipe buffer (64 KiB on Linux).
SERVICE_COUNT = 400
PAD = "x" * 180


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorHandle]:
    with start_emulator(data_dir=tmp_path_factory.mktemp("crowded")) as node:
        session = requests.Session()
        session.auth = (node.admin_key, "")
        for i in range(SERVICE_COUNT):
            body = {"serviceId": f"svc-{i:03d}-{PAD}"}
            session.post(node.uri + "/admin/api/services", json=body, timeout=10).raise_for_status()
        yield node


def _env(node: EmulatorHandle, home: Path) -> dict[str, str]:
    return clean_env(home, APINODE_ADMIN_URI=node.uri, APINODE_ADMIN_API_KEY=node.admin_key)


def _shell(script: str, env: dict[str, str], err: Path) -> subprocess.CompletedProcess:
    cli = " ".join(cli_command())
    full = f"set -o pipefail; {script.format(cli=cli, err=err)}"
    return subprocess.run(["bash", "-c", full], env=env, capture_output=True, timeout=30)


@pytest.mark.parametrize("output", ["json", "plain", "tsv"])
@pytest.mark.parametrize("reader", ["head -c 10", "true", "head -n 1 >/dev/null"])
def test_closed_pipe_is_a_clean_exit_0(
    crowded: EmulatorHandle, config_home: Path, tmp_path: Path, output: str, reader: str
) -> None:
    err = tmp_path / "stderr.txt"
    script = "{cli} services list -o " + output + " 2>{err} | " + reader
    proc = _shell(script, _env(crowded, config_home), err)
    assert proc.returncode == 0, (proc.stderr, err.read_text())
    assert err.read_text() == ""
    if reader == "head -c 10":
        assert len(proc.stdout) == 10


def test_reader_closing_early_without_a_shell(crowded: EmulatorHandle, config_home: Path) -> None:
    proc = subprocess.Popen(
        cli_command("services", "list", "-o", "json"),
        env=_env(crowded, config_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(10) == b"[\n  {\n    "
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=20) == 0, stderr
    assert stderr == ""


def test_whole_listing_when_the_reader_stays(crowded: EmulatorHandle, config_home: Path) -> None:
    script = "{cli} services list -o tsv --no-headers 2>{err} | wc -l"
    proc = _shell(script, _env(crowded, config_home), config_home / "err.txt")
    assert proc.returncode == 0
    assert int(proc.stdout) == SERVICE_COUNT


def test_stdout_closed_from_the_start(crowded: EmulatorHandle, config_home: Path) -> None:
    err = config_home / "closed.txt"
    proc = _shell("{cli} services list -o json >&- 2>{err}", _env(crowded, config_home), err)
    assert proc.returncode == 0, err.read_text()
    assert err.read_text() == ""


def test_stderr_closed_from_the_start_keeps_the_exit_code(config_home: Path) -> None:
    env = clean_env(config_home, APINODE_ADMIN_URI="http://127.0.0.1:1", APINODE_ADMIN_API_KEY="k")
    proc = _shell("{cli} --retries 1 services list 2>&-", env, config_home / "unused")
    assert proc.returncode == 7
    assert proc.stdout == b""


def test_a_full_disk_is_one_line(crowded: EmulatorHandle, config_home: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    err = config_home / "full.txt"
    proc = _shell("{cli} services list -o json >/dev/full 2>{err}", _env(crowded, config_home), err)
    assert proc.returncode == 1
    assert err.read_text().startswith("Error: ") and "No space left" in err.read_text()
    assert "Traceback" not in err.read_text()


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_a_full_disk_under_help_and_version_is_one_line(config_home: Path, option: str) -> None:
    """click writes these while it parses the line, before the commands' error boundary."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    err = config_home / "full.txt"
    proc = _shell("{cli} " + option + " >/dev/full 2>{err}", clean_env(config_home), err)
    assert proc.returncode == 1
    assert err.read_text() == "Error: cannot write the output: No space left on device\n"


# -- Ctrl-C ------------------------------------------------------------------------------------


def _wait_for(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def _interrupt(proc: subprocess.Popen) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    return proc.returncode, out.decode(), err.decode()


def _assert_interrupted(code: int, out: str, err: str) -> None:
    assert code == 130, err
    assert out == ""
    assert "Traceback" not in err
    assert err.strip() == "Interrupted.", err


def test_ctrl_c_during_a_slow_request(emulator: EmulatorHandle, config_home: Path) -> None:
    emulator.add_fault(method="GET", path="/admin/api/services", delayMs=1500)
    proc = start_cli("services", "list", env=_env(emulator, config_home))
    _wait_for(lambda: emulator.received)
    _assert_interrupted(*_interrupt(proc))


def test_ctrl_c_while_waiting_to_retry(emulator: EmulatorHandle, config_home: Path) -> None:
    emulator.add_fault(method="GET", path="/admin/api/services", status=503, retryAfter=20)
    proc = start_cli("-q", "services", "list", env=_env(emulator, config_home))
    _wait_for(lambda: emulator.received)
    time.sleep(0.2)  # now asleep in the backoff
    start = time.monotonic()
    _assert_interrupted(*_interrupt(proc))
    assert time.monotonic() - start < 5
    assert len(emulator.received) == 1


def test_ctrl_c_while_reading_a_mapping_from_stdin(
    emulator: EmulatorHandle, config_home: Path
) -> None:
    proc = start_cli(
        "services",
        "set-mapping",
        "churn",
        "-",
        env=_env(emulator, config_home),
        stdin=subprocess.PIPE,
    )
    time.sleep(0.8)  # started and blocked on stdin
    _assert_interrupted(*_interrupt(proc))
    assert emulator.received == []


# The console script's own code, after a marker written once the interpreter is up: Python's
# own start-up (site, .pth files) runs before any of the tool's code and is not its to handle.
# The entry point then installs its handler within a few milliseconds (importing the package
# and the entry module); the delays start beyond that and cover the imports of the commands.
_SCRIPT = """
import os, sys
os.write(1, b"R")
from apinode_admin_cli.__main__ import main
sys.exit(main())
"""
# `python -m`: what runpy does once its own imports are done.
_MODULE = """
import os, runpy
os.write(1, b"R")
runpy.run_module("apinode_admin_cli", run_name="__main__", alter_sys=True)
"""
DELAYS_MS = (15, 25, 40, 60, 90, 130, 200, 300)


@pytest.fixture(scope="module")
def silent_node() -> Iterator[str]:
    """A node that takes connections and never answers: every command is still running."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="module")
def entry_bytecode() -> None:
    """The entry modules' bytecode cached, as an installed package has it.

    Without it (PYTHONDONTWRITEBYTECODE, an edited source), every start compiles the entry
    module before its handler exists; on a loaded machine that outlasts the first delays.
    """
    for module in ("apinode_admin_cli", "apinode_admin_cli.__main__"):
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        py_compile.compile(spec.origin, doraise=True)


@pytest.mark.usefixtures("entry_bytecode")
@pytest.mark.parametrize("code", [_SCRIPT, _MODULE], ids=["console-script", "python-m"])
def test_ctrl_c_in_the_first_moments(silent_node: str, config_home: Path, code: str) -> None:
    """From the entry point on, Ctrl-C is `Interrupted.` and 130, even amid the imports."""
    env = clean_env(config_home, APINODE_ADMIN_URI=silent_node, APINODE_ADMIN_API_KEY="k")
    for delay in DELAYS_MS:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, "services", "list", "--timeout", "60"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=default_sigint,
        )
        assert proc.stdout is not None
        assert proc.stdout.read(1) == b"R"
        time.sleep(delay / 1000)  # not a timing assertion: where in the start-up to interrupt
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired as exc:
            # Python itself drops a Ctrl-C that lands inside a weakref callback of its import
            # machinery ("Exception ignored ... KeyboardInterrupt"), a window of microseconds;
            # only that case may need a second Ctrl-C, which must then work as the first.
            swallowed = (exc.stderr or b"").decode()
            assert "Exception ignored" in swallowed and "KeyboardInterrupt" in swallowed, swallowed
            status, out_text, err_text = _interrupt(proc)
            assert (status, out_text) == (130, ""), (delay, err_text)
            assert err_text.rstrip().endswith("Interrupted."), (delay, err_text)
            continue
        status, out_text, err_text = proc.returncode, out.decode(), err.decode()
        assert (status, out_text, err_text.strip()) == (130, "", "Interrupted."), (delay, err_text)


@pytest.mark.parametrize("where", ["parse_args", "make_context"])
def test_ctrl_c_while_click_parses_is_interrupted_not_aborted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    """Ctrl-C lands where click itself would print "Aborted!" and exit 1 (a timing window
    a signal test hits only under load): the entry point still says Interrupted. and 130."""
    from apinode_admin_cli.cli import RootGroup, main

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(RootGroup, where, interrupted)
    with pytest.raises(SystemExit) as exit_info:
        main(["services", "list"])
    assert exit_info.value.code == 130
    out, err = capsys.readouterr()
    assert out == "" and err.strip() == "Interrupted."
    assert "Aborted" not in err
