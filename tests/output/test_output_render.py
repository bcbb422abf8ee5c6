"""The table, plain, TSV and JSON renderers."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from typing import Any, Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.output import Column, render, render_json
from apinode_admin_cli.output.columns import GENERATIONS, KEYS, SERVICES

ANSI = re.compile("\x1b\\[")
TEXT_FORMATS = ("table", "plain", "tsv")
SECRET = "s3cr3t-admin-key-ABCD"

ALL_KINDS = [
    Column("name", "NAME"),
    Column("on", "ON", "bool"),
    Column("when", "WHEN", "epoch_ms"),
    Column("share", "SHARE", "share"),
    Column("key", "KEY", "secret"),
    Column("extra", "EXTRA", "json"),
]
RECORD = {
    "name": "svc-1",
    "on": True,
    "when": 1795000000000,
    "share": 0.25,
    "key": SECRET,
    "extra": {"a": [1, 2]},
}
EXPECTED_CELLS = ["svc-1", "true", "2026-11-18T11:06:40+00:00", "25%", "****ABCD", '{"a":[1,2]}']


@pytest.fixture(autouse=True)
def utc(local_tz: Callable[[str], None]) -> None:
    local_tz("UTC")


def out(records: Any, columns: Any, fmt: str, **kw: Any) -> str:
    stream = io.StringIO()
    render(records, columns, fmt, stream=stream, **kw)
    return stream.getvalue()


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("color", [True, False])
def test_every_kind_in_every_format(fmt: str, color: bool) -> None:
    text = out([RECORD], ALL_KINDS, fmt, color=color, title="t")
    plain_text = ANSI.sub("", re.sub("\x1b\\[[0-9;]*m", "", text))
    for cell in EXPECTED_CELLS:
        assert cell in plain_text
    assert SECRET not in text
    assert "NAME" in plain_text
    assert bool(ANSI.search(text)) == (fmt == "table" and color)


def test_tsv_exact() -> None:
    assert out([RECORD], ALL_KINDS, "tsv") == (
        "NAME\tON\tWHEN\tSHARE\tKEY\tEXTRA\n" + "\t".join(EXPECTED_CELLS) + "\n"
    )
    assert out([RECORD], ALL_KINDS, "tsv", no_headers=True) == "\t".join(EXPECTED_CELLS) + "\n"


def test_plain_exact() -> None:
    records = [{"serviceId": "a", "enabled": True}, {"serviceId": "bb", "enabled": False}]
    assert out(records, SERVICES, "plain") == (
        "SERVICE    ENABLED    ERROR\na          true\nbb         false\n"
    )
    assert out(records, SERVICES, "plain", no_headers=True) == "a   true\nbb  false\n"


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_no_headers(fmt: str) -> None:
    text = out([RECORD], ALL_KINDS, fmt, no_headers=True, color=False)
    assert "NAME" not in text and "svc-1" in text


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_empty_list_prints_header_only(fmt: str) -> None:
    text = out([], SERVICES, fmt, color=False)
    assert "SERVICE" in text and "ENABLED" in text
    assert len(text.strip().splitlines()) <= 2  # the header, and the table's rule
    assert out([], SERVICES, fmt, no_headers=True, color=False) == ""


def test_json_exact() -> None:
    for data in ([], {}, [{"serviceId": "é", "enabled": True}], {"generations": []}):
        stream = io.StringIO()
        render_json(data, stream)
        assert stream.getvalue() == json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        assert json.loads(stream.getvalue()) == data
    stream = io.StringIO()
    render_json([], stream)
    assert stream.getvalue() == "[]\n"


def test_json_keeps_the_secret_and_has_no_ansi() -> None:
    stream = io.StringIO()
    render_json([{"key": SECRET, "label": "\x1b[31m"}], stream)
    assert SECRET in stream.getvalue()  # JSON is the node's answer, for scripts
    assert "\x1b" not in stream.getvalue()


def test_render_refuses_json_and_unknown_formats() -> None:
    with pytest.raises(ValueError, match="render_json"):
        out([], SERVICES, "json")
    with pytest.raises(ValueError, match="fancy"):
        out([], SERVICES, "fancy")


@given(st.text(min_size=9, max_size=60).filter(lambda s: s.strip() == s and "\\" not in s))
def test_secret_never_printed(secret: str) -> None:
    for fmt in TEXT_FORMATS:
        empty = out([], KEYS, fmt, color=False)
        # A "secret" that the header row or the masked form already spells proves nothing.
        assume(secret not in empty and secret not in "i ****" + secret[-4:])
        assert secret not in out([{"key": secret, "id": "i"}], KEYS, fmt, color=False)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_values_cannot_inject_escapes_or_markup(fmt: str) -> None:
    record = {"serviceId": "[bold red]x[/]", "startAbortedReason": "bad\x1b[2J\tthing"}
    text = out([record], SERVICES, fmt, color=False)
    assert "\x1b" not in text
    assert "[bold red]x[/]" in text
    assert "\\x1b[2J" in text


def test_tsv_escapes_layout_characters() -> None:
    record = {"serviceId": "a\tb\nc\\d\re"}
    text = out([record], SERVICES, "tsv", no_headers=True)
    assert text == r"a\tb\nc\\d\re" + "\t\t\n"


def test_generations_table_keeps_dates_whole() -> None:
    records = [
        {"generationId": "v" * 30, "createdOn": 1795000000000, "mounted": True, "mapped": 1 / 3}
    ]
    text = out(records, GENERATIONS, "table", color=False)
    assert "2026-11-18T11:06:40+00:00" in text and "33.3%" in text


def test_choose_format() -> None:
    assert Terminal(stdout_tty=True).choose_format(None) == "table"
    assert Terminal(stdout_tty=False).choose_format(None) == "plain"
    assert Terminal(stdout_tty=True).choose_format("json") == "json"
    with pytest.raises(UsageError, match="table, plain, tsv, json"):
        Terminal().choose_format("yaml")


def test_import_stays_light() -> None:
    code = (
        "import sys, apinode_admin_cli.output, apinode_admin_cli.output.columns;"
        "heavy = [m for m in ('rich', 'tabulate') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
