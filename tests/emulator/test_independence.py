"""The emulator is its own model of a node: it shares no rule with the client it tests."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Optional

import apinode_admin_cli.emulator

PACKAGE = Path(apinode_admin_cli.emulator.__file__).parent
PACKAGE_NAME = apinode_admin_cli.emulator.__name__
# Neutral helpers: they hold no rule of the admin API that a bug could share with the client.
ALLOWED = {"apinode_admin_cli.atomicfile", "apinode_admin_cli.emulator"}
REPO = PACKAGE.parent.parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level)
            if module == "apinode_admin_cli":  # `from apinode_admin_cli import x`
                found |= {f"apinode_admin_cli.{alias.name}" for alias in node.names}
            else:
                found.add(module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("apinode_admin_cli")}


def _absolute(module: Optional[str], level: int) -> str:
    """The module a ``from`` import names, relative ones (``from ..x``) resolved."""
    if level == 0:
        return module or ""
    base = PACKAGE_NAME.split(".")[: len(PACKAGE_NAME.split(".")) - level + 1]
    return ".".join([*base, module] if module else base)


def test_the_emulator_imports_nothing_of_the_client():
    borrowed = {}
    for path in sorted(PACKAGE.glob("*.py")):
        outside = {
            name
            for name in _imports(path)
            if name != "apinode_admin_cli.__version__"
            and not any(name == a or name.startswith(a + ".") for a in ALLOWED)
        }
        if outside:
            borrowed[path.name] = sorted(outside)
    assert borrowed == {}


def test_comments_cite_only_files_of_the_repository():
    cited = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for name in re.findall(r"[\w./-]+\.md\b", path.read_text()):
            if not (PACKAGE / name).exists() and not (REPO / name).exists():
                cited.setdefault(path.name, []).append(name)
    assert cited == {}
