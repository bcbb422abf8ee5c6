"""`-o json` never pays for rich or tabulate: it is the path scripts take in loops."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

CODE = """
import sys
from apinode_admin_cli.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
heavy = sorted(m for m in ("rich", "tabulate") if m in sys.modules)
sys.stderr.write("HEAVY %s EXIT %s\\n" % (heavy, code))
"""


def run(emulator: Any, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key)
    return subprocess.run(
        [sys.executable, "-c", CODE, *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_json_output_imports_neither_rich_nor_tabulate(emulator: Any) -> None:
    proc = run(emulator, "services", "list", "-o", "json")
    assert proc.stderr.strip().endswith("HEAVY [] EXIT 0"), proc.stderr
    assert proc.stdout == "[]\n"


def test_table_output_does_use_rich(emulator: Any) -> None:
    # The check above can fail: the same probe sees rich when the table renderer runs.
    proc = run(emulator, "services", "list", "-o", "table")
    assert proc.stderr.strip().endswith("HEAVY ['rich'] EXIT 0"), proc.stderr


def test_simple_plain_output_needs_no_tabulate(emulator: Any) -> None:
    # ASCII one-line cells are aligned directly; tabulate is for wide or multi-line text.
    proc = run(emulator, "services", "list", "-o", "plain")
    assert proc.stderr.strip().endswith("HEAVY [] EXIT 0"), proc.stderr
