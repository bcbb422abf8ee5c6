"""docs/fleets.md's rolling maintenance runs as written, in one shell, against two emulators.

The only change made to the text is the two port numbers (12011 and 12012), replaced by ports
that are free on the machine running the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.cli import guide_script, run_bash_session


@pytest.mark.skipif(shutil.which("jq") is None, reason="the walkthrough pipes into jq")
@pytest.mark.skipif(shutil.which("bash") is None, reason="the walkthrough is a bash session")
def test_the_rolling_maintenance_runs_as_written(tmp_path: Path) -> None:
    script = guide_script("fleets.md", "## Rolling maintenance")
    assert "drain" in script and "undrain" in script and "kill %1" in script
    proc = run_bash_session(script, tmp_path, ports=("12011", "12012"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Drained before the restart, still drained after it, back in at the end.
    assert "\ntrue\ntrue\n" in proc.stdout, proc.stdout
    assert "node-1 drained=false\nnode-2 drained=false" in proc.stdout, proc.stdout
    assert proc.stderr.count("Drained: /isAlive/ fails") == 2, proc.stderr
    assert proc.stderr.count("Undrained: /isAlive/ answers") == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for node in ("node-1", "node-2"):
        assert not (tmp_path / "maint" / node / "apinode-not-alive.txt").exists()
