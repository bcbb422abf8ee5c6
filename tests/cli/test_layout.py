"""The shape of cli/ that keeps it readable: small modules, no rich, no columns, no cycles."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Iterator

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "apinode_admin_cli"
CLI = PACKAGE / "cli"


def _modules(root: Path) -> Iterator[tuple[str, ast.Module, str]]:
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        yield name.removesuffix(".__init__"), ast.parse(text), text


def _imported(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom) and node.module:
        yield node.module
        yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_module_over_300_lines_and_no_function_over_80() -> None:
    too_long = []
    for name, tree, text in _modules(CLI):
        if text.count("\n") > 300:
            too_long.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 80:
                    too_long.append(f"{name}.{node.name}: {length} lines")
    assert too_long == []


def test_presentation_lives_in_output() -> None:
    """No rich under cli/, and no column built there: every column spec is in output/."""
    found = []
    for name, tree, _ in _modules(CLI):
        for node in ast.walk(tree):
            if any(m == "rich" or m.startswith("rich.") for m in _imported(node)):
                found.append(f"{name} imports rich")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Column":
                found.append(f"{name}:{node.lineno} builds a Column")
    assert found == []


def _top_level_imports(tree: ast.Module, known: set[str]) -> set[str]:
    """Modules imported when the module is: its body's imports, not TYPE_CHECKING's."""
    found = set()
    for node in tree.body:
        for imported in _imported(node):
            while imported and imported not in known:
                imported = imported.rpartition(".")[0]
            if imported:
                found.add(imported)
    return found


def test_no_import_cycles() -> None:
    """None across the whole package, a package's __init__ included.

    ``from pkg import sub`` counts as an import of ``pkg`` (its __init__ runs first): a
    module that its package's __init__ imports takes its siblings by their full name.
    Imports under TYPE_CHECKING and inside functions run later, so they do not count.
    """
    modules = {name: tree for name, tree, _ in _modules(PACKAGE)}
    graph = {
        name: _top_level_imports(tree, set(modules)) - {name} for name, tree in modules.items()
    }
    cycles = []
    for start in graph:
        stack, seen = [(start, (start,))], set()
        while stack:
            current, path = stack.pop()
            for nxt in graph[current]:
                if nxt == start:
                    cycles.append(" -> ".join((*path, start)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*path, nxt)))
    assert cycles == []


def test_only_targets_decide_between_one_node_and_a_fleet() -> None:
    """``app.fleet`` is read by the factory and by targets, nowhere else under cli/."""
    deciders = {"apinode_admin_cli.cli.app", "apinode_admin_cli.cli.common.targets"}
    found = [
        f"{name}:{node.lineno}"
        for name, tree, _ in _modules(CLI)
        if name not in deciders
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "fleet"
        and getattr(node.value, "id", "") == "app"
    ]
    assert found == []


# A library message names no CLI flag: the CLI words the way out (issue 21 item 7).
FLAG = re.compile(r"(^|[\s(`])--[a-z]")


@pytest.mark.parametrize("root", ["state", "rollout", "fleet", "output"])
def test_library_text_names_no_cli_flag(root: str) -> None:
    found = []
    for name, tree, _ in _modules(PACKAGE / root):
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and FLAG.search(node.value)
            ):
                found.append(f"{name}:{node.lineno}: {node.value[:60]}")
    assert found == []


def test_nothing_writes_into_the_app_from_outside() -> None:
    """The app only builds: no module sets its attributes or reaches for its private ones."""
    found = []
    for name, tree, _ in _modules(CLI):
        if name == "apinode_admin_cli.cli.app":
            continue
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and getattr(target.value, "id", "") == "app":
                    found.append(f"{name}:{node.lineno} sets app.{target.attr}")
            if (
                isinstance(node, ast.Attribute)
                and getattr(node.value, "id", "") == "app"
                and node.attr.startswith("_")
            ):
                found.append(f"{name}:{node.lineno} reads app.{node.attr}")
    assert found == []
