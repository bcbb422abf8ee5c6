"""Large listings: cells formatted column by column, JSON written as it is encoded."""

from __future__ import annotations

import io
import random
from typing import Any

import pytest

from apinode_admin_cli.errors import InvalidResponseError
from apinode_admin_cli.jsonutil import dump_answer
from apinode_admin_cli.output import Column, cells, format_value, get_path, render_json
from apinode_admin_cli.output.tables import render

POOL: list[Any] = [
    "", " padded ", "tab\there", "é", "two\nlines", "\x1b[31mred", "back\\slash", "%s", 0, 1,
    1.0, True, False, None, 1_760_000_000_000, 1_760_000_000_000.0, 0.333, {"a": [1]}, [1, 2],
    float("nan"), "\u2028", "\x7f",
]  # fmt: skip
KINDS = ["text", "bool", "epoch_ms", "share", "secret", "json"]


def _records(rnd: random.Random, count: int) -> list[dict[str, Any]]:
    records = []
    for _ in range(count):
        record: dict[str, Any] = {}
        for key in ("a", "b", "c"):
            if rnd.random() < 0.8:
                record[key] = rnd.choice(POOL)
        if rnd.random() < 0.5:
            record["n"] = {"d": rnd.choice(POOL)}
        records.append(record)
    return records


def test_column_cells_read_as_each_value_formatted_alone() -> None:
    rnd = random.Random(27)
    for _ in range(300):
        columns = [
            Column(rnd.choice(["a", "b", "c", "n.d", "zz"]), "T", rnd.choice(KINDS))
            for _ in range(rnd.randint(1, 4))
        ]
        records = _records(rnd, rnd.randint(0, 8))
        expected = [
            [format_value(get_path(record, col.key), col.kind) for col in columns]
            for record in records
        ]
        assert cells(records, columns) == expected


def test_a_large_listing_keeps_its_layout() -> None:
    records = [{"serviceId": f"s{i:06d}", "enabled": i % 3 != 0} for i in range(20_000)]
    records[7]["serviceId"] = "tab\there"
    columns = [Column("serviceId", "SERVICE"), Column("enabled", "ENABLED", "bool")]
    plain, tsv = io.StringIO(), io.StringIO()
    render(records, columns, "plain", stream=plain)
    render(records, columns, "tsv", stream=tsv)
    lines = plain.getvalue().splitlines()
    assert lines[0] == "SERVICE    ENABLED"
    assert lines[1] == "s000000    false"
    assert lines[8] == "tab\\there  true"
    assert len(lines) == 20_001
    rows = tsv.getvalue().splitlines()
    assert rows[0] == "SERVICE\tENABLED"
    assert rows[2] == "s000001\ttrue"
    assert rows[8] == "tab\\there\ttrue"


class _Writes(io.StringIO):
    """Remembers the size of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, text: str) -> int:
        self.sizes.append(len(text))
        return super().write(text)


def test_json_is_written_as_it_is_encoded_and_reads_as_before() -> None:
    data = [{"serviceId": f"s{i:06d}", "note": "\x9b\ud800 é", "n": i} for i in range(60_000)]
    out = _Writes()
    render_json(data, out)
    assert out.getvalue() == dump_answer(data, indent=2) + "\n"
    assert len(out.getvalue()) > 4_000_000
    assert len(out.sizes) > 10
    assert max(out.sizes) < 1_200_000


def test_json_with_a_number_json_lacks_writes_nothing_when_small() -> None:
    out = _Writes()
    with pytest.raises(InvalidResponseError, match="NaN or Infinity"):
        render_json([{"a": 1}, {"b": float("inf")}], out)
    assert out.getvalue() == ""
