"""A wheel built from the project installs the man page where ``man`` and pipx find it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAN_PAGE = "share/man/man1/apinode-admin.1"


@pytest.mark.slow
def test_the_wheel_carries_the_man_page_as_data(tmp_path: Path) -> None:
    # A copy of what the build reads, so the build leaves nothing in the checkout.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "apinode_admin_cli",
        source / "apinode_admin_cli",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", "dist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = (tmp_path / "dist").glob("apinode_admin-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        data = [n for n in archive.namelist() if n.endswith(".data/data/" + MAN_PAGE)]
        assert len(data) == 1, archive.namelist()
        page = archive.read(data[0])
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = archive.read(metadata).decode().split("\n\n", 1)[0].splitlines()
    # An SPDX expression: the table form is deprecated, and builds stop accepting it in 2027.
    assert "License-Expression: Apache-2.0" in headers
    assert page == (ROOT / "apinode_admin_cli" / "data" / "apinode-admin.1").read_bytes()
    assert page.startswith(b".TH")
