"""The README's shell examples run as written against an emulator.

Every fenced ```sh block of README.md runs, in the README's order, each as a bash script
(`bash -eu -o pipefail`) against one fresh emulator, in a temporary folder that is also
`$HOME`, with the installed `apinode-admin` first on `PATH`. A block is left out only when the
line just before it is an HTML comment starting with ``<!-- not run:`` and saying why (it
installs the package, listens on a fixed port, or belongs in a shell's start-up file).

The block that starts an emulator on a fixed port is replaced by what it gives:
``APINODE_ADMIN_URI`` and ``APINODE_ADMIN_API_KEY_FILE`` for an emulator on a free port, and
``PKGS``, a folder of package archives (``churn/v1.zip``, ``churn/v2.zip``, ``churn/v3.zip``,
``fraud/v1.zip``) whose versions are their file names, serving the endpoint ``score``. A test
checks that this block sets exactly those variables, so that the README and this harness cannot
drift apart.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from support.cli import clean_env

from apinode_admin_cli.cli.emulator.demo import build_archive

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SKIP = "<!-- not run:"
PROVIDED = {"APINODE_ADMIN_URI", "APINODE_ADMIN_API_KEY_FILE", "PKGS"}
ARCHIVES = {"churn": ("v1", "v2", "v3"), "fraud": ("v1",)}


class Block(NamedTuple):
    line: int  # where the block's first line is in README.md
    code: str
    skipped: bool


def blocks() -> list[Block]:
    """The ```sh blocks of the README, each marked when the line before says not to run it."""
    lines = README.read_text(encoding="utf-8").splitlines()
    found = []
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```sh":
            end = lines.index("```", index + 1)
            skipped = index > 0 and lines[index - 1].startswith(SKIP)
            found.append(Block(index + 2, "\n".join(lines[index + 1 : end]) + "\n", skipped))
            index = end
        index += 1
    return found


def test_every_left_out_block_says_why() -> None:
    text = README.read_text(encoding="utf-8")
    for reason in re.findall(r"<!-- not run:(.*?)-->", text):
        assert reason.strip(), "a `not run` marker must say why"
    assert [b for b in blocks() if not b.skipped], "the README has no runnable example"


def test_the_emulator_block_sets_what_the_harness_provides() -> None:
    (block,) = [b for b in blocks() if b.skipped and "APINODE_ADMIN_URI=" in b.code]
    assigned = set(re.findall(r"^(?:export\s+)?([A-Z_]+)=", block.code, re.MULTILINE))
    assert assigned == PROVIDED


@pytest.fixture
def workdir(tmp_path: Path, emulator: Any) -> dict[str, str]:
    """The folder, archives and environment the runnable blocks expect."""
    home = tmp_path / "home"
    home.mkdir()
    packages = tmp_path / "packages"
    for service, versions in ARCHIVES.items():
        (packages / service).mkdir(parents=True)
        for version in versions:
            build_archive(packages / service / f"{version}.zip", version)
    key_file = home / "admin-key"
    key_file.write_text(emulator.admin_key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    env = clean_env(
        tmp_path / "xdg",
        HOME=str(home),
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        APINODE_ADMIN_URI=emulator.uri,
        APINODE_ADMIN_API_KEY_FILE=str(key_file),
        PKGS=str(packages),
    )
    return env


@pytest.mark.skipif(shutil.which("bash") is None, reason="the examples are shell scripts")
def test_the_runnable_examples_run_as_written(workdir: dict[str, str], emulator: Any) -> None:
    runnable = [b for b in blocks() if not b.skipped]
    if shutil.which("jq") is None and any("jq " in b.code for b in runnable):
        pytest.skip("the examples use jq")
    for block in runnable:
        proc = subprocess.run(
            ["bash", "-eu", "-o", "pipefail", "-c", block.code],
            env=workdir,
            cwd=workdir["HOME"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, (
            f"README.md line {block.line}: exit {proc.returncode}\n{block.code}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
        assert "Traceback" not in proc.stderr
    # The examples did what they say.
    services = emulator.app.store.read()["services"]
    assert set(services) == {"churn", "fraud", "shop"}
    mapping = services["churn"]["mapping"]["entries"]
    assert mapping == [{"generation": "v3", "proba": 1.0}]
