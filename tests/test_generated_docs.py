"""The generated files (completions, reference, docs tables, man page) match the code."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "generate_docs.py"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_docs"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def sandboxed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The generator writing under ``tmp_path`` instead of the repository."""
    gen = load_generator()
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    monkeypatch.setattr(gen, "REFERENCE", tmp_path / "docs" / "reference.md")
    monkeypatch.setattr(gen, "SETTINGS_PAGE", tmp_path / "docs" / "settings.md")
    monkeypatch.setattr(gen, "EXIT_CODES_PAGE", tmp_path / "docs" / "exit-codes.md")
    monkeypatch.setattr(gen, "MAN_PAGE", tmp_path / "data" / "apinode-admin.1")
    return gen


def test_generated_files_are_current() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == 0, (
        f"generated files are stale; run `python scripts/generate_docs.py`\n{proc.stderr}"
    )
    assert proc.stdout == ""


def test_reference_lists_every_command() -> None:
    gen = load_generator()
    reference = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    for entry in gen.entries()[1:]:
        name = entry.path[len("apinode-admin ") :]
        assert f"`{name}`" in reference, name
        if not entry.is_group:
            assert f"Usage: `{entry.usage}`" in reference
    assert "services-list" not in reference.split("```text")[0]  # compat names stay hidden


def test_docs_tables_come_from_the_declarations() -> None:
    from apinode_admin_cli.config.schema import SETTINGS
    from apinode_admin_cli.errors import ExitCode

    gen = load_generator()
    pages = {
        "SETTINGS TABLE": (ROOT / "docs" / "settings.md", gen.settings_table()),
        "EXIT CODES TABLE": (ROOT / "docs" / "exit-codes.md", gen.exit_codes_table()),
    }
    for name, (page, body) in pages.items():
        text = page.read_text(encoding="utf-8")
        assert f"<!-- BEGIN {name} -->\n{body}<!-- END {name} -->" in text, name
    exit_codes = pages["EXIT CODES TABLE"][1]
    for code in ExitCode:
        assert f"| {int(code)} | " in exit_codes
    settings = pages["SETTINGS TABLE"][1]
    for decl in SETTINGS:
        assert f"`{decl.option}" in settings, decl.name


def test_man_page_is_package_data_and_valid_roff() -> None:
    from importlib.resources import files

    page = files("apinode_admin_cli").joinpath("data/apinode-admin.1").read_text(encoding="utf-8")
    assert page.startswith(".TH APINODE\\-ADMIN 1")
    for section in ("NAME", "SYNOPSIS", "GLOBAL OPTIONS", "COMMANDS", "ENVIRONMENT", "EXIT STATUS"):
        assert f".SH {section}" in page
    assert '.SS "apinode\\-admin services set\\-mapping"' in page
    if shutil.which("groff") is None:
        pytest.skip("groff is not installed")
    proc = subprocess.run(
        ["groff", "-man", "-Tutf8", "-ww", "-z"], input=page, capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_check_detects_and_fixes_stale_files(
    sandboxed: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = sandboxed
    begin, end = "<!-- BEGIN EXIT CODES TABLE -->", "<!-- END EXIT CODES TABLE -->"
    page = tmp_path / "docs" / "exit-codes.md"
    page.parent.mkdir()
    page.write_text(f"# Title\n\n{begin}\nold\n{end}\n\n## After\n")

    assert gen.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "stale: completions/apinode-admin.bash" in err
    assert "stale: docs/exit-codes.md" in err
    assert not (tmp_path / "completions").exists()  # --check writes nothing
    assert "\nold\n" in page.read_text()

    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    text = page.read_text()
    assert text.startswith("# Title\n\n" + begin + "\n| code | meaning |")
    assert text.endswith(end + "\n\n## After\n") and "\nold\n" not in text
    assert (tmp_path / "docs" / "reference.md").read_text().startswith("# Command reference")

    (tmp_path / "completions" / "apinode-admin.zsh").write_text("edited by hand\n")
    assert gen.main(["--check"]) == 1
    assert "stale: completions/apinode-admin.zsh" in capsys.readouterr().err


def test_a_page_without_markers_is_left_alone(
    sandboxed: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = sandboxed
    page = tmp_path / "docs" / "settings.md"
    page.parent.mkdir()
    page.write_text("# No markers\n")
    assert gen.main([]) == 0
    err = capsys.readouterr().err
    assert "docs/settings.md has no SETTINGS TABLE markers" in err
    assert page.read_text() == "# No markers\n"
    assert gen.main(["--check"]) == 0
