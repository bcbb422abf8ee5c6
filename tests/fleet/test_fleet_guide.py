"""docs/fleets.md's walkthrough runs as written, in one shell, against two real emulators.

The only change made to the text is the two port numbers (12001 and 12002), replaced by
ports that are free on the machine running the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from testsupport import clean_env, free_port

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "fleets.md"


def walkthrough() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## A walkthrough") :]
    section = section[: section.index("\n## ", 4)]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.S))


@pytest.mark.skipif(shutil.which("jq") is None, reason="the walkthrough pipes into jq")
@pytest.mark.skipif(shutil.which("bash") is None, reason="the walkthrough is a bash session")
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    script = walkthrough()
    assert "fleet status" in script and "kill %1 %2" in script
    script = script.replace("12001", str(free_port())).replace("12002", str(free_port()))
    env = clean_env(tmp_path / "unused")
    # The console script of this interpreter's environment, as a reader's shell finds it.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    # Whatever happens, the walkthrough's background nodes do not outlive the test.
    script = "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script
    proc = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"churn\s+v1 90% v2 10%\s+v1\s+no", out), out
    assert "exit 8: the nodes differ" in out
    assert out.rstrip().endswith("true"), out
    assert "Traceback" not in proc.stderr
