"""``apinode-admin man``: the manual page from the package, whatever the kind of install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import apinode_admin_cli


def man(*args: str) -> subprocess.CompletedProcess[str]:
    # A real process with stdout a pipe: the tests' install is editable, the case it is for.
    return subprocess.run(
        [sys.executable, "-m", "apinode_admin_cli", "man", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_off_a_terminal_the_troff_source_of_the_packaged_page() -> None:
    packaged = Path(apinode_admin_cli.__file__).parent / "data" / "apinode-admin.1"
    result = man()
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == packaged.read_text(encoding="utf-8")
    assert result.stdout.startswith(".TH APINODE\\-ADMIN 1")


def test_path_names_a_file_man_can_read() -> None:
    result = man("--path")
    assert (result.returncode, result.stderr) == (0, "")
    path = Path(result.stdout.strip())
    assert path.is_file() and path.name == "apinode-admin.1"
