"""The direct plain layout is tabulate's, character for character, where it replaces it."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from tabulate import tabulate

from apinode_admin_cli.output import Column, render

ascii_cell = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(st.lists(ascii_cell, min_size=n, max_size=n), max_size=6),
            st.lists(ascii_cell.filter(lambda t: t.strip() == t and t), min_size=n, max_size=n),
            st.booleans(),
        )
    )
)
def test_same_text_as_tabulate(case: tuple[list[list[str]], list[str], bool]) -> None:
    rows, titles, no_headers = case
    columns = [Column(f"c{i}", title) for i, title in enumerate(titles)]
    records = [{f"c{i}": cell for i, cell in enumerate(row)} for row in rows]
    out = io.StringIO()
    render(records, columns, "plain", stream=out, no_headers=no_headers)
    if no_headers and not rows:
        assert out.getvalue() == ""
        return
    headers = () if no_headers else titles
    expected = tabulate(rows, headers=headers, tablefmt="plain", disable_numparse=True) + "\n"
    assert out.getvalue() == expected


def test_wide_text_still_goes_through_tabulate_and_a_line_break_stays_on_its_row() -> None:
    columns = [Column("a", "A"), Column("b", "B")]
    records = [{"a": "日本語", "b": "x"}, {"a": "two\nlines", "b": "y"}]
    out = io.StringIO()
    render(records, columns, "plain", stream=out)
    # A line break would read as a row of its own: it is written \n (issue 22 item 13).
    rows = [["日本語", "x"], ["two\\nlines", "y"]]
    assert (
        out.getvalue() == tabulate(rows, ["A", "B"], tablefmt="plain", disable_numparse=True) + "\n"
    )
