"""docs/deployer.md's walkthrough runs as written, in one shell, against real emulators.

The only change made to the text is the port numbers (12001, 12002 and 11200), replaced by
ports that are free on the machine running the test.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support.cli import guide_script, run_bash_session


@pytest.mark.skipif(shutil.which("jq") is None, reason="the walkthrough pipes into jq")
@pytest.mark.skipif(shutil.which("curl") is None, reason="the walkthrough calls curl")
@pytest.mark.skipif(shutil.which("bash") is None, reason="the walkthrough is a bash session")
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    script = guide_script("deployer.md", "## A walkthrough")
    assert "emulator deployer" in script and "--type K8S" in script
    proc = run_bash_session(script, tmp_path, ports=("12001", "12002", "11200"), timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"churn-dev\s+churn\s+dev\s+v1\s+true\s+HEALTHY", out), out
    assert re.search(r"OUT_OF_SYNC\s+http://127\.0\.0\.1:\d+/public/api/v1/churn", out), out
    assert "exit 8: not healthy" in out
    assert "\nHEALTHY\n" in out
    assert re.search(r"churn\s+true\s+v2", out), out  # node 2 serves v2 after the update
    # the last command lists the deployments left: churn-k8s is gone, churn-dev stays
    assert out.rstrip().endswith("churn-dev"), out
    for secret in ("dss-api-key", "node1-admin-key", "node2-admin-key"):
        assert secret not in out
    assert "Traceback" not in proc.stderr
