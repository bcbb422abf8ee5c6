"""docs/emulator.md runs as written: its shell sessions, its outputs and its pytest example."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import fenced_blocks

from apinode_admin_cli.emulator import start_emulator

DOC = Path(__file__).parents[2] / "docs" / "emulator.md"
DOC_PORT = "12000"  # the port the page uses; the tests use a free one instead
DOC_KEY = "my-emulator-key"


BLOCKS = fenced_blocks(DOC)


def shell_env(uri: str) -> dict[str, str]:
    bin_dir = os.path.dirname(sys.executable)  # apinode-admin and python3 of this venv
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    env.update(APINODE_ADMIN_URI=uri, APINODE_ADMIN_API_KEY=DOC_KEY, PYTHONUNBUFFERED="1")
    return env


def test_the_shell_session_runs_in_order(tmp_path):
    """Every sh block but the start command, one after the other against one emulator."""
    if shutil.which("curl") is None or shutil.which("jq") is None:
        pytest.skip("the page's examples use curl and jq")
    with start_emulator(data_dir=tmp_path / "node", admin_key=DOC_KEY) as node:
        env = shell_env(node.uri)
        ran = 0
        for index, (language, text) in enumerate(BLOCKS):
            if language != "sh" or "emulator serve" in text:
                continue
            script = text.replace(f"http://127.0.0.1:{DOC_PORT}", node.uri)
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", script],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, (script, result.stdout, result.stderr)
            following = BLOCKS[index + 1] if index + 1 < len(BLOCKS) else ("", "")
            if following[0] == "text":  # the output the page shows for this block
                assert result.stdout == following[1], script
            ran += 1
    assert ran >= 5


def test_the_start_command_prints_the_line_shown(tmp_path):
    command = next(text for language, text in BLOCKS if "emulator serve" in text).strip()
    shown = next(text for language, text in BLOCKS if text.startswith("Emulator listening"))
    args = command.split()[1:] + ["--port", "0"]  # the last --port wins: a free one
    proc = subprocess.Popen(
        [sys.executable, "-m", "apinode_admin_cli", *args],
        cwd=tmp_path,
        env=shell_env(""),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        port = line.rsplit(":", 1)[1].strip()
        assert line == shown.replace(DOC_PORT, port)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert (tmp_path / "node-state" / "config" / "adminkeys.json").is_file()


def test_the_pytest_example_passes_in_a_suite_of_its_own(tmp_path):
    example = next(text for language, text in BLOCKS if "def test_" in text)
    (tmp_path / "test_deploy.py").write_text(example, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_deploy.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_the_python_example_runs(tmp_path):
    example = next(
        text for language, text in BLOCKS if language == "python" and "def test_" not in text
    )
    result = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    uri, key = result.stdout.split()
    assert uri.startswith("http://127.0.0.1:") and len(key) == 32
