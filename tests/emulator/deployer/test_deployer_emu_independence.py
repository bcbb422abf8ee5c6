"""The deployer emulator is its own model of DSS: it borrows no rule from the client it tests."""

from __future__ import annotations

import ast
from pathlib import Path

import apinode_admin_cli.emulator.deployer

PACKAGE = Path(apinode_admin_cli.emulator.deployer.__file__).parent
# The node emulator and the crash-safe file writer hold no rule of the deployer's API.
ALLOWED = ("apinode_admin_cli.emulator", "apinode_admin_cli.atomicfile")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "apinode_admin_cli":
                names |= {f"apinode_admin_cli.{alias.name}" for alias in node.names}
            else:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return {n for n in names if n.startswith("apinode_admin_cli")}


def test_the_deployer_emulator_imports_nothing_of_the_client():
    borrowed = {
        path.name: sorted(
            name
            for name in imported(path)
            if name != "apinode_admin_cli.__version__"
            and not any(name == a or name.startswith(a + ".") for a in ALLOWED)
        )
        for path in sorted(PACKAGE.glob("*.py"))
    }
    assert {name: found for name, found in borrowed.items() if found} == {}
    assert len(borrowed) >= 10  # the package was really read


def test_the_deployer_emulator_needs_no_third_party_package():
    third_party = {"requests", "click", "rich", "tabulate", "dataikuapi", "urllib3"}
    used = {
        path.name: sorted(
            n.split(".")[0] for n in _all_imports(path) if n.split(".")[0] in third_party
        )
        for path in PACKAGE.glob("*.py")
    }
    assert {name: found for name, found in used.items() if found} == {}


def _all_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names
