"""docs/monitoring.md's `sh` examples run as written, in order, in one shell, against emulators.

The only change made to the text is the two port numbers (12000 and 12001), replaced by ports
that are free on the machine running the test. Examples that need cron, a push gateway, promtool
or a person at a terminal are in `shell` and `text` blocks, which are not run.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from support.cli import run_bash_session

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "monitoring.md"


def examples() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return "\n".join(re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M))


@pytest.mark.slow  # about 20 s: the guide's watches poll once a second
@pytest.mark.skipif(shutil.which("jq") is None, reason="the guide pipes into jq")
@pytest.mark.skipif(shutil.which("bash") is None, reason="the guide is a bash session")
def test_the_guides_examples_run_as_written(tmp_path: Path) -> None:
    script = examples()
    for command in ("metrics show -o prometheus", "metrics watch --count", "switch-to churn v2"):
        assert command in script
    assert "kill %1" in script and "pushgateway" not in script
    proc = run_bash_session(script, tmp_path, ports=("12000", "12001"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out, err = proc.stdout, proc.stderr
    assert "Traceback" not in err
    assert "not promoting" not in err
    # The exposition, grepped for churn: the three predictions of the set-up.
    assert 'apinode_service_requests{service="churn"} 3' in out
    # The textfile collector's file holds samples.
    assert (tmp_path / "textfile" / "apinode.prom").read_text().startswith("# TYPE apinode_")
    # The fleet: both nodes up, then node-2 gone (exit 7 twice), its polls errors.
    assert 'apinode_up{node="node-1"} 1\napinode_up{node="node-2"} 1' in out
    assert 'apinode_up{node="node-1"} 1\napinode_up{node="node-2"} 0' in out
    assert out.count("exit 7") == 2
    lines = [json.loads(line) for line in (tmp_path / "watch.jsonl").read_text().splitlines()]
    assert [line["node"] for line in lines] == ["node-1", "node-2"] * 2
    assert all((line["error"] is None) == (line["node"] == "node-1") for line in lines)
    # The canary was promoted once the gate saw no errors.
    assert "serves generation v2" in err
