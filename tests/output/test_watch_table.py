"""The live table of a watch, rendered by rich as a terminal would show it."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from rich.console import Console

from apinode_admin_cli.output.watch_table import cell_texts, format_number, watch_table
from apinode_admin_cli.watch import Cell, Watch


def shown(watch: Watch) -> str:
    console = Console(file=io.StringIO(), record=True, width=120, color_system=None)
    console.print(watch_table(watch))
    return console.export_text()


def test_single_node_shows_value_change_and_rate_of_changed_metrics() -> None:
    watch = Watch([None])
    watch.record(None, 0.0, {"requests": 10, "errors": 1})
    watch.record(None, 2.0, {"requests": 16, "errors": 1, "records": 3})
    text = shown(watch)
    rows = [line.split() for line in text.splitlines() if line.strip() and "─" not in line]
    assert rows[0] == ["METRIC", "VALUE", "CHANGE", "RATE/S"]
    assert ["requests", "16", "+6", "+3"] in rows
    assert ["records", "3", "new"] in rows
    assert "errors" not in text


def test_fleet_has_a_column_group_per_node_and_says_which_is_down() -> None:
    watch = Watch(["paris", "lyon"])
    watch.record("paris", 0.0, {"r": 1})
    watch.record("lyon", 0.0, {"r": 1})
    watch.record("paris", 4.0, {"r": 3})
    watch.record("lyon", 4.0, error="Cannot connect to http://lyon:12000")
    text = " ".join(shown(watch).split())  # the caption wraps to the table's width
    assert "paris" in text and "lyon" in text
    assert "lyon not answering: Cannot connect to http://lyon:12000" in text
    assert "+0.5" in text


@pytest.mark.parametrize(
    ("cell", "texts"),
    [
        (Cell(None, None, None), ("", "", "")),
        (Cell(5, None, None), ("5", "", "")),
        (Cell(5, 0, 0.0), ("5", "0", "0")),
        (Cell(2.5, -1.25, -0.75), ("2.5", "-1.25", "-0.75")),
        (Cell(1760000000000, 1000, 1 / 3), ("1760000000000", "+1000", "+0.33")),
        (Cell(9, 1, 12.345), ("9", "+1", "+12.3")),
        (Cell(9, 1, 1234.5678), ("9", "+1", "+1235")),
        (Cell(9, 1, 0.001), ("9", "+1", "<0.01")),
        (Cell(0, None, None, new=True), ("0", "new", "")),
    ],
)
def test_cell_texts(cell: Cell, texts: tuple[str, str, str]) -> None:
    assert cell_texts(cell) == texts


def test_control_characters_from_the_node_never_reach_the_terminal() -> None:
    # Metric names and errors come from the node: an ESC or CSI would repaint the screen.
    watch = Watch(["n1", "n2"])
    watch.record("n1", 0.0, {"a\x1b[2Jb": 1, "c\x9b31md": 2})
    watch.record("n2", 0.0, error="refused \x1b]0;title\x07")
    console = Console(file=io.StringIO(), force_terminal=True, width=200, color_system=None)
    console.print(watch_table(watch))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert not set(out) & {"\x1b", "\x9b", "\x07"}
    assert "a\\x1b[2Jb" in out and "c\\x9b31md" in out
    assert "n2 not answering: refused \\x1b]0;title\\x07" in " ".join(out.split())


def test_three_nodes_fit_80_columns_without_breaking_a_number() -> None:
    watch = Watch(["paris-prod", "lyon-prod", "lille-prod"])
    metric = "services.churn.endpoints.score.requests"
    for node in watch.nodes:
        watch.record(node, 0.0, {metric: 1000, "up": 1})
        watch.record(node, 3.0, {metric: 1001, "up": 1})
    console = Console(file=io.StringIO(), record=True, width=80, color_system=None)
    console.print(watch_table(watch))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    values = [line.split()[-9:] for line in lines if line.split()[-1:] == ["+0.33"]]
    assert values == [["1001", "+1", "+0.33"] * 3]
    assert "0.333333" not in "\n".join(lines)


def test_negative_zero_float_is_zero() -> None:
    assert format_number(-0.0, signed=True) == "0"


def test_importing_does_not_import_rich() -> None:
    code = "import sys, apinode_admin_cli.output.watch_table; print('rich' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
