"""Every input file and stdin is read with a bound; predict needs features."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check, clean_env

ZERO = "/dev/zero"
pytestmark = pytest.mark.skipif(not Path(ZERO).exists(), reason="needs /dev/zero")


@pytest.fixture
def node_env(emulator: Any, tmp_path: Path) -> dict[str, str]:
    return clean_env(
        tmp_path / "xdg", APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key
    )


def run(args: list[str], env: dict[str, str], stdin_zero: bool) -> subprocess.CompletedProcess[str]:
    """The real process, stdin from /dev/zero when asked; a hang fails through the timeout."""
    with open(ZERO, "rb") as zero:
        return subprocess.run(
            [sys.executable, "-m", "apinode_admin_cli", *args],
            env=env,
            stdin=zero if stdin_zero else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )


@pytest.mark.parametrize(
    ("args", "stdin_zero", "code"),
    [
        (["services", "set-mapping", "churn", ZERO], False, 2),
        (["services", "set-mapping", "churn", "-"], True, 2),
        (["service-set-mapping", "churn"], True, 2),
        (["predict", "churn", "score", "@" + ZERO], False, 2),
        (["predict", "churn", "score", "-"], True, 2),
        # A batch is streamed: each of its rows is capped instead of the whole input.
        (["predict", "churn", "score", "--batch", ZERO, "--batch-format", "jsonl"], False, 2),
        (["predict", "churn", "score", "--batch", "-", "--batch-format", "csv"], True, 2),
        (["predict", "churn", "score", "a=1", "--context", "@" + ZERO], False, 2),
        (["keys", "delete", "-", "-y"], True, 2),
        (["services", "list", "--api-key-file", ZERO], False, 3),
        (["services", "list", "--api-key-file", "-"], True, 3),
        (["services", "list", "--config", ZERO], False, 3),
        (["config", "show", "--config", ZERO], False, 3),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else str(v),
)
def test_endless_input_is_refused(
    node_env: dict[str, str], args: list[str], stdin_zero: bool, code: int, emulator: Any
) -> None:
    emulator.clear_received()
    proc = run(args, node_env, stdin_zero)
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == ""
    assert "larger than" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert [r for r in emulator.received if r["method"] != "GET"] == []


def test_endless_config_file_from_the_environment_is_refused(node_env: dict[str, str]) -> None:
    proc = run(["services", "list"], {**node_env, "APINODE_ADMIN_CONFIG": ZERO}, False)
    assert (proc.returncode, proc.stdout) == (3, ""), proc.stderr
    assert "config file /dev/zero is larger than 16 MiB" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["config", "set", "api_key", "-"],
        ["config", "init", "--uri", "http://127.0.0.1:1", "--api-key-stdin", "--no-verify"],
    ],
)
def test_endless_stdin_for_config_is_refused(tmp_path: Path, args: list[str]) -> None:
    env = clean_env(tmp_path / "xdg")
    proc = run(args, env, True)
    assert proc.returncode == 2, proc.stderr
    assert "larger than" in proc.stderr or "longer than" in proc.stderr
    assert not (tmp_path / "xdg" / "apinode-admin" / "config.toml").exists()


def test_predict_with_no_features_exits_2_and_says_how(node_cli: RunCli, emulator: Any) -> None:
    emulator.clear_received()
    result = node_cli("predict", "churn", "score")
    check(result, 2)
    assert result.stdout == ""
    assert "no features given" in result.stderr
    assert "--feature K=V" in result.stderr and "--batch" in result.stderr
    assert emulator.received == []
