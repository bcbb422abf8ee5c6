"""docs/deployer-emulator.md runs as written: its shell session prints the output it shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.cli import fenced_blocks, free_port, run_bash_session

DOC = Path(__file__).parents[3] / "docs" / "deployer-emulator.md"
PORTS = ("12001", "12002", "11200")  # the page's ports; the test uses free ones


def test_the_session_runs_and_prints_what_the_page_shows(tmp_path):
    if shutil.which("curl") is None or shutil.which("jq") is None:
        pytest.skip("the page's session uses curl and jq")
    blocks = fenced_blocks(DOC)
    [(position, script)] = [(i, text) for i, (lang, text) in enumerate(blocks) if lang == "sh"]
    shown = blocks[position + 1][1]
    for port in PORTS:
        assert port in script
        chosen = str(free_port())
        script, shown = script.replace(port, chosen), shown.replace(port, chosen)
    result = run_bash_session(script, tmp_path, timeout=60)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert result.stdout == shown
