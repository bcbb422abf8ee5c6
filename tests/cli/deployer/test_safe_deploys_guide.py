"""docs/deployer.md's safe-deploys walkthrough runs as written, in one shell, on real emulators.

The only change made to the text is the port numbers (12011, 12012 and 11210), replaced by
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
def test_the_safe_deploys_walkthrough_runs_as_written(tmp_path: Path) -> None:
    script = guide_script("deployer.md", "## Safe deploys")
    assert "deployer deploy churn-prod v3" in script and "deployer rollout" in script
    proc = run_bash_session(script, tmp_path, ports=("12011", "12012", "11210"), timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out, err = proc.stdout, proc.stderr
    assert re.search(r"100%\s+v2 100%\s+4/4 ok\s+ok\nv2\n", out), out
    assert "nothing to do, nothing sent" in err
    assert re.search(r"100%\s+v3 100%\s+0/4 ok\s+failed\nrollback\s+v2 100%\s+-\s+restored", out)
    assert "exit 9\nHEALTHY\n" in out
    assert re.search(r"25%\s+v1 25% v2 75%\s+-\s+planned", out), out
    assert re.search(r"25%\s+v1 25% v2 75%\s+4/4 ok\s+ok\n100%\s+v1 100%\s+4/4 ok\s+ok\nv1", out)
    assert out.count("dss-deployer-prod") == 1, out  # one deployer key left on node 1
    assert re.search(r"node1\s+http://127\.0\.0\.1:\d+\s+existing", out), out
    assert re.search(r"prod-127-0-0-1-\d+\s+http://127\.0\.0\.1:\d+\s+created", out), out
    assert re.search(r"churn\s+v1\s+v1\s+yes", out), out  # fleet status: both serve v1
    for secret in ("dss-api-key", "node1-admin-key", "node2-admin-key"):
        assert secret not in out + err
    assert "Traceback" not in err
