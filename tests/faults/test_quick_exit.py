"""The program leaves without tearing the interpreter down, and loses nothing by it.

Each test runs a real process whose script plants what a normal exit would show (an atexit
handler, a module object with a finalizer, a thread still working) before handing over to the
entry point exactly as the console script does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import clean_env

from apinode_admin_cli import __version__
from apinode_admin_cli.__main__ import GC_THRESHOLD, main
from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle

# A finalizer that only interpreter teardown would run, and an atexit handler that says what
# the process looked like at the end; both write to stderr after the command's own output.
_PLANTED = """
import atexit, gc, os, sys

class Finalized:
    def __del__(self):
        os.write(2, b"<teardown>")

KEEP = Finalized()

@atexit.register
def _at_exit():
    sys.stderr.write(f"<atexit gc={gc.get_threshold()[0]}>")
    sys.stdout.write("<after>")  # written by a handler: flushed after it

sys.argv = ["apinode-admin", *sys.argv[1:]]
from apinode_admin_cli.__main__ import main
main()
"""


def _program(
    config_home: Path, *args: str, prelude: str = "", **env: str
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", prelude + _PLANTED, *args],
        env=clean_env(config_home, **env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_listing_leaves_quickly_with_its_output_whole(
    emulator: EmulatorHandle, config_home: Path
) -> None:
    created = [f"svc-{i:03d}" for i in range(300)]
    admin = APINodeAdminClient(emulator.uri, emulator.admin_key)
    for service in created:
        admin.create_service(service)
    proc = _program(
        config_home,
        "services", "list", "-o", "json",
        APINODE_ADMIN_URI=emulator.uri,
        APINODE_ADMIN_API_KEY=emulator.admin_key,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    listing, tail = proc.stdout.rsplit("\n", 1)
    assert sorted(s["serviceId"] for s in json.loads(listing)) == created
    assert tail == "<after>"
    # The atexit handler ran, under the program's collector setting; teardown did not.
    assert proc.stderr == f"<atexit gc={GC_THRESHOLD}>"


@pytest.mark.parametrize(
    ("args", "code"),
    [(("--version",), 0), (("services", "list"), 3), (("no-such-command",), 2)],
)
def test_the_exit_code_is_the_commands(config_home: Path, args: tuple[str, ...], code: int) -> None:
    proc = _program(config_home, *args)
    assert proc.returncode == code
    assert proc.stderr.endswith(f"<atexit gc={GC_THRESHOLD}>")
    assert "<teardown>" not in proc.stderr
    if code == 3:
        assert proc.stderr.startswith("Error: no API node URI")


def test_a_thread_still_running_gets_to_finish(config_home: Path) -> None:
    """A non-daemon thread (a plugin's, a library's) is waited for, as Python would."""
    prelude = (
        "import threading, time, os\n"
        "threading.Thread(target=lambda: (time.sleep(0.5), os.write(1, b'<thread>'))).start()\n"
    )
    proc = _program(config_home, "--version", prelude=prelude)
    assert proc.returncode == 0
    assert "<thread>" in proc.stdout
    assert proc.stdout.startswith("apinode-admin, version")
    # The ordinary exit: atexit handlers, then the teardown's finalizers.
    assert proc.stderr.startswith(f"<atexit gc={GC_THRESHOLD}>")
    assert proc.stderr.endswith("<teardown>")


def test_code_running_a_command_line_gets_system_exit(capsys: pytest.CaptureFixture[str]) -> None:
    """``main(argv)`` from code raises SystemExit and leaves the collector alone."""
    import gc

    before = gc.get_threshold()
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("apinode-admin, version")
    assert gc.get_threshold() == before


def test_code_running_a_command_line_keeps_its_ctrl_c_handler() -> None:
    """The quick Ctrl-C exit is the program's: a caller's handler is there again after."""
    import signal

    before = signal.getsignal(signal.SIGINT)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert signal.getsignal(signal.SIGINT) is before


def test_a_failing_atexit_handler_leaves_the_exit_code_alone(config_home: Path) -> None:
    """Python prints a handler's error (3.9 raises it again from ``_run_exitfuncs``) and goes on."""
    prelude = (
        "import atexit, sys\n"
        "atexit.register(sys.exit, 5)\n"
        "@atexit.register\n"
        "def _broken():\n"
        "    raise RuntimeError('handler failed')\n"
    )
    proc = _program(config_home, "--version", prelude=prelude)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("apinode-admin, version")
    assert proc.stderr.count("RuntimeError: handler failed") == 1, proc.stderr
    assert proc.stderr.startswith(f"<atexit gc={GC_THRESHOLD}>")
    assert "<teardown>" not in proc.stderr


@pytest.mark.parametrize(
    "runner",
    [
        # A profiler prints its report once the program returns or raises SystemExit.
        ["-m", "cProfile", "-m", "apinode_admin_cli"],
        # A wrapper with work left after main(): only a script's top level (or -m) is last.
        [
            "-c",
            "import sys\n"
            "from apinode_admin_cli.__main__ import main\n"
            "def run():\n"
            "    try:\n"
            "        main()\n"
            "    finally:\n"
            "        print('<wrapper done>')\n"
            "sys.argv[0] = 'apinode-admin'\n"
            "run()\n",
        ],
    ],
    ids=["cProfile", "wrapper"],
)
def test_code_around_the_program_still_runs_after_it(config_home: Path, runner: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, *runner, "--version"],
        env=clean_env(config_home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    first, _, rest = proc.stdout.partition("\n")
    assert first.startswith("apinode-admin, version")
    assert "function calls" in rest or rest == "<wrapper done>\n", proc.stdout


def test_python_i_gets_its_interactive_session(config_home: Path) -> None:
    """Under ``-i`` the session after the script reads stdin: the program must not end it."""
    proc = subprocess.run(
        [sys.executable, "-i", "-c", _PLANTED, "--version"],
        env=clean_env(config_home),
        input="print('<repl>')\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.startswith("apinode-admin, version")
    assert "<repl>" in proc.stdout
    assert "<teardown>" in proc.stderr


@pytest.mark.parametrize("entry", ["console script", "-m"])
def test_the_real_entry_points_leave_quickly(config_home: Path, tmp_path: Path, entry: str) -> None:
    """The console script and ``python -m`` (runpy above main) both count as the last code."""
    (tmp_path / "sitecustomize.py").write_text(_PLANTED.split("sys.argv =")[0], encoding="utf-8")
    script = Path(sys.executable).with_name("apinode-admin")
    argv = [sys.executable, "-m", "apinode_admin_cli"]
    if entry == "console script":
        if not script.exists():
            pytest.skip("the console script is not installed beside this interpreter")
        argv = [str(script)]
    proc = subprocess.run(
        [*argv, "--version"],
        env=clean_env(config_home, PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "apinode-admin, version " + __version__ + "\n<after>"
    assert proc.stderr == f"<atexit gc={GC_THRESHOLD}>"
