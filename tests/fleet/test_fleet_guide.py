"""docs/fleets.md's walkthrough runs as written, in one shell, against two real emulators.

The only change made to the text is the two port numbers (12001 and 12002), replaced by
ports that are free on the machine running the test.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support.cli import guide_script, run_bash_session


@pytest.mark.skipif(shutil.which("jq") is None, reason="the walkthrough pipes into jq")
@pytest.mark.skipif(shutil.which("bash") is None, reason="the walkthrough is a bash session")
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    script = guide_script("fleets.md", "## A walkthrough")
    assert "fleet status" in script and "kill %1 %2" in script
    proc = run_bash_session(script, tmp_path, ports=("12001", "12002"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"churn\s+v1 90% v2 10%\s+v1\s+no", out), out
    assert "exit 8: the nodes differ" in out
    assert out.rstrip().endswith("true"), out
    assert "Traceback" not in proc.stderr
