"""``emulator demo``: the whole tour runs, shows real output, and cleans up after itself."""

from __future__ import annotations

import os
import re
import signal
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.cli import RunCli, RunProc, clean_env, start_cli

ROOT = Path(__file__).resolve().parents[3]

STEPS = [
    "$ apinode-admin ping",
    "$ apinode-admin services create churn",
    "$ apinode-admin generations import churn ",
    "$ apinode-admin services switch-to-newest churn",
    "$ apinode-admin predict churn score --feature tenure=3 --feature plan=basic",
    "$ apinode-admin services set-mapping churn --entry v1=0.9 --entry v2=0.1",
    "$ apinode-admin generations list churn",
    "$ apinode-admin predict churn score --feature tenure=12 --dispatch-key customer-17",
    "$ apinode-admin metrics show",
    "$ apinode-admin services rollout churn v2 --steps 50,100 --probe ",
    "$ apinode-admin keys create --label ci --description 'demo key'",
    "$ apinode-admin keys list",
    "$ apinode-admin keys delete --id ",
    "$ apinode-admin services delete churn --yes",
    "$ apinode-admin services list",
    "$ apinode-admin --fleet ha services create churn",
    "$ apinode-admin --fleet ha generations import churn ",
    "$ apinode-admin --fleet ha fleet status",
]


def check_tour(stdout: str) -> None:
    position = 0
    for step in STEPS:
        found = stdout.find(step, position)
        assert found >= 0, f"step {step!r} missing or out of order in:\n{stdout}"
        position = found
    assert "\x1b[" not in stdout  # not a terminal: no colour
    # real command output, not a script of it
    assert "Created service churn." in stdout
    assert re.search(r"^v1\s+\S+\s+true\s+90%$", stdout, re.M), stdout
    assert re.search(r"^v2\s+\S+\s+(true|false)\s+10%$", stdout, re.M), stdout
    assert re.search(r"^v2\s+\S+\s+true\s+100%$", stdout, re.M), stdout
    assert re.search(r"^50%\s+v2 50% v1 50%\s+2/2 ok\s+ok$", stdout, re.M), stdout
    assert "Deleted service churn." in stdout
    # The two-node fleet at the end: imported and activated on both, and no drift.
    assert re.search(r"^node-1\s+ok\s+v2\n+node-2\s+ok\s+v2$", stdout, re.M), stdout
    assert re.search(r"^churn\s+v2\s+v2\s+yes$", stdout, re.M), stdout
    assert stdout.rstrip().endswith("then point --uri at a real node.")


def emulator_uri(stdout: str) -> str:
    match = re.search(r"emulator at (http://\S+)", stdout)
    assert match, stdout
    return match.group(1)


def is_listening(uri: str) -> bool:
    parts = urlsplit(uri)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def demo_dirs() -> set[str]:
    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith("apinode-admin-demo-")}


def test_demo_in_process(run_cli: RunCli) -> None:
    before = demo_dirs()
    result = run_cli("emulator", "demo")
    assert result.exit_code == 0, result.output
    check_tour(result.stdout)
    assert result.stderr == ""  # the tour merges each command's messages into its transcript
    assert not is_listening(emulator_uri(result.stdout))  # the emulator was stopped
    assert demo_dirs() == before  # and its data removed


def test_demo_ignores_the_users_settings(run_cli: RunCli, tmp_path: Path) -> None:
    broken = tmp_path / "config.toml"
    broken.write_text("not [valid toml\n")
    env = {
        "APINODE_ADMIN_URI": "http://127.0.0.1:9",
        "APINODE_ADMIN_API_KEY": "wrong",
        "APINODE_ADMIN_CONFIG": str(broken),
        "APINODE_ADMIN_PROFILE": "nosuch",
        "APINODE_ADMIN_OUTPUT": "json",
        "APINODE_ADMIN_TIMEOUT": "0.001",
    }
    result = run_cli("emulator", "demo", env=env)
    assert result.exit_code == 0, result.output
    check_tour(result.stdout)
    assert os.environ.get("APINODE_ADMIN_URI") is None  # restored as it was (unset)


def test_demo_keep_leaves_the_data(run_cli: RunCli) -> None:
    result = run_cli("emulator", "demo", "--keep")
    assert result.exit_code == 0, result.output
    match = re.search(r"kept in (\S+)", result.stderr)
    assert match, result.stderr
    kept = Path(match.group(1))
    try:
        assert (kept / "packages" / "v1.zip").is_file()
        assert (kept / "node").is_dir()
    finally:
        import shutil

        shutil.rmtree(kept, ignore_errors=True)


def test_demo_as_a_program(run_proc: RunProc) -> None:
    proc = run_proc("emulator", "demo", timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    check_tour(proc.stdout)
    assert proc.stderr == ""


@pytest.mark.skipif(os.name == "nt", reason="POSIX signals")
@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGINT, 130, "Interrupted."), (signal.SIGTERM, 143, "Terminated.")],
    ids=["ctrl-c", "sigterm"],
)
@pytest.mark.parametrize(
    "after",
    # Between steps (the tour's own code), and inside one (its first imports take a while).
    ["Started a throwaway API node emulator", "$ apinode-admin ping"],
    ids=["between-steps", "in-a-step"],
)
def test_demo_stopped_midway_says_so_and_cleans_up(
    config_home: Path, tmp_path: Path, signum: int, code: int, said: str, after: str
) -> None:
    """Ctrl-C or SIGTERM during the tour: its exit code, one message, no data dir left."""
    env = clean_env(config_home, TMPDIR=str(tmp_path))
    for _ in range(3):  # the tour takes about half a second: retried if it won the race
        proc = start_cli("emulator", "demo", env=env, text=True)
        assert proc.stdout is not None
        seen = ""
        while not seen.startswith(after):
            seen = proc.stdout.readline()
            assert seen, "the tour ended before the line it is stopped after"
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            break
    assert proc.returncode == code, out + err
    assert "Done." not in out
    assert (out + err).count(said) == 1
    assert "failed with exit code" not in out + err
    assert "Traceback" not in out + err
    assert list(tmp_path.iterdir()) == []
