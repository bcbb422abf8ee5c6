"""The minimal TOML writer: what it writes, tomllib reads back identically."""

from __future__ import annotations

import math
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apinode_admin_cli.tomlwrite import toml_key, toml_table_header, toml_value

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
scalars = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), text)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


@settings(max_examples=200, deadline=None)
@given(key=text, value=values)
def test_round_trip(key: str, value: object) -> None:
    parsed = tomllib.loads(f"{toml_key(key)} = {toml_value(value)}\n")
    assert same(parsed, {key: value})


def test_spellings() -> None:
    assert toml_key("churn-v1_2") == "churn-v1_2"
    assert toml_key("a.b") == '"a.b"'
    assert toml_key("") == '""'
    assert toml_value({"v1": 0.9, "v2": ""}) == '{ v1 = 0.9, v2 = "" }'
    assert toml_value({}) == "{}"
    assert toml_value(["v2", True]) == '["v2", true]'
    assert toml_value("tab\there\x01") == '"tab\\there\\u0001"'
    assert toml_table_header(("services", "my svc")) == '[services."my svc"]'


def test_refuses_what_toml_cannot_hold() -> None:
    with pytest.raises(ValueError, match="not valid Unicode"):
        toml_value("\ud800")
    with pytest.raises(ValueError, match="cannot write a NoneType"):
        toml_value(None)
