"""docs/rollouts.md's walkthrough runs as written, in one shell, against a real emulator.

The only change made to the text is the port number 12000, replaced by a free port.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support.cli import run_bash_session

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "rollouts.md"


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_every_shell_example_is_in_the_walkthrough() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## A walkthrough") :]
    section = section[: section.index("\n## ", 4)]
    assert shell_blocks() == re.findall(r"```sh\n(.*?)```", section, flags=re.S)


@pytest.mark.slow  # about 10 s: two rollouts with one-second pauses
@pytest.mark.skipif(shutil.which("bash") is None, reason="the walkthrough is a bash session")
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    script = "\n".join(shell_blocks())
    assert "kill %1" in script and "errorRate" in script
    proc = run_bash_session(script, tmp_path, ports=("12000",))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out, err = proc.stdout, proc.stderr
    assert re.search(r"^50%\s+v2 50% v1 50%\s+3/3 ok\s+ok$", out, flags=re.M), out
    assert re.search(r"^10%\s+v3 10% v2 90%\s+2/3 ok\s+failed$", out, flags=re.M), out
    assert re.search(r"^rollback\s+v2 100%\s+-\s+restored$", out, flags=re.M), out
    assert "exit 9: rolled back" in out
    assert re.search(r"^v2\s+\S+\s+true\s+100%$", out, flags=re.M), out
    assert re.search(r"^v3\s+\S+\s+true\s+0%$", out, flags=re.M), out
    assert "Waiting 1 s before step 50% (Ctrl-C rolls back)" in err
    assert "Restored v2 100%" in err
    assert "Traceback" not in err
