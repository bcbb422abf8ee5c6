"""docs/gitops.md runs as written: every sh block (and the Python one) in order, in one bash,
against three real emulators; the outputs the page shows are the ones it prints.

The only changes made to the text are the port numbers 12000, 12001 and 12002, replaced by
ports that are free on the machine running the test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support.cli import fenced_blocks, run_bash_session

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "gitops.md"
# Where the page's shown outputs put the reader's folder.
SHOWN_HOME = "/home/you"


def session() -> str:
    """The page's sh blocks, and its Python block fed to python3, in the page's order."""
    parts = []
    for language, body in fenced_blocks(GUIDE):
        if language == "sh":
            parts.append(body)
        elif language == "python":
            parts.append(f"python3 - <<'PY'\n{body}PY\n")
    return "\n".join(parts)


def shown(first_line: str, language: str = "") -> str:
    """The output block of the page that starts with ``first_line``."""
    for kind, body in fenced_blocks(GUIDE):
        if kind == language and body.startswith(first_line):
            return body
    raise AssertionError(f"no block starting with {first_line!r}")


@pytest.mark.skipif(shutil.which("bash") is None, reason="the guide is a bash session")
def test_the_guide_runs_as_written(tmp_path: Path) -> None:
    script = session()
    assert "state apply" in script and "--fleet prod" in script and "kill %1 %2 %3" in script
    proc = run_bash_session(script, tmp_path, ports=("12000", "12001", "12002"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    out = proc.stdout.replace(str(tmp_path), SHOWN_HOME)

    for first_line in (
        "+ service churn",  # the first plan
        "~ churn: mapping v2 100%",  # the drift, found with exit 8
        "prod-1: + service churn",  # the fleet's plans
        "NODE    OUTCOME",  # the fleet applied, then its status
    ):
        assert shown(first_line) in out, f"{first_line!r} not printed as shown:\n{out}"
    assert shown("[services.churn]\nenabled = true", "toml") in out  # the export
    assert "Apply complete: 8 changes done." in proc.stderr
    assert "prod-2: done: - service old-test (prune)" in proc.stderr
    assert out.rstrip().endswith("No changes.\nTrue 0"), out  # the Python block
