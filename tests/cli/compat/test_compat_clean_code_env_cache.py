"""The original tool's ``__clean-code-env-cache`` (DSS 13.0), listed with the other names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.cli import RunCli, check

from apinode_admin_cli.cli import COMPAT_COMMANDS
from apinode_admin_cli.cli.compat import EQUIVALENTS

ROOT = Path(__file__).resolve().parents[3]


def register(node_cli: RunCli, tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    check(node_cli("code-envs", "import", str(folder), "--language", "python"))


def test_it_cleans_the_cache_and_prints_what_went(
    node_cli: RunCli, emulator: Any, tmp_path: Path
) -> None:
    register(node_cli, tmp_path, "py39")
    emulator.clear_received()
    result = node_cli("__clean-code-env-cache")
    check(result)
    (sent,) = [r for r in emulator.received if r["method"] == "DELETE"]
    assert sent["path"] == "/admin/api/cached-code-envs"
    lines = result.stdout.splitlines()
    assert lines[0] == "Cleaning code env cache"
    assert lines[1].split() == ["Key", "Value"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:]}
    assert rows["deletedCodeEnvs.0.name"] == ["py39"]
    assert result.stderr == ""


def test_json_is_the_node_s_answer_on_one_line(node_cli: RunCli, tmp_path: Path) -> None:
    register(node_cli, tmp_path, "py39")
    result = node_cli("__clean-code-env-cache", "--output", "json")
    check(result)
    assert result.stdout.count("\n") == 1
    assert json.loads(result.stdout)["deletedCodeEnvs"] == [{"name": "py39", "language": "python"}]


def test_it_is_listed_with_the_original_names(run_cli: RunCli) -> None:
    assert "__clean-code-env-cache" in COMPAT_COMMANDS
    assert any(row[0].startswith("__clean-code-env-cache") for row in EQUIVALENTS)
    check(run_cli("__clean-code-env-cache", "--help"))
    assert "__clean-code-env-cache" in run_cli("compat").stdout
    assert "__clean-code-env-cache" not in run_cli("--help").stdout
    assert "`__clean-code-env-cache" in (ROOT / "docs" / "compat.md").read_text(encoding="utf-8")
