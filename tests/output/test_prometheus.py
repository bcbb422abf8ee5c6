"""The Prometheus exposition of any metrics object, checked by a real parser and the grammar."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
from apinode_admin_cli.output.prometheus import (
    collect,
    escape_label_value,
    exposition,
    format_number,
    name_and_labels,
)

# The 0.0.4 grammar, stricter than prometheus_client's parser (which also takes UTF-8 names).
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
VALUE = r"NaN|[+-]Inf|-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
SAMPLE_LINE = re.compile(rf"({NAME})(?:\{{({LABEL}(?:,{LABEL})*)\}})? ({VALUE})\Z")
TYPE_LINE = re.compile(rf"# TYPE ({NAME}) untyped\Z")
LABELS = re.compile(LABEL)


def check_wellformed(text: str) -> list[tuple[str, dict[str, str], str]]:
    """Every line matches the grammar, families are declared once and grouped: the samples."""
    if not text:
        return []
    assert text.endswith("\n")
    text.encode("utf-8")  # no lone surrogate
    declared: set[str] = set()
    current = None
    found: list[tuple[str, dict[str, str], str]] = []
    identities = set()
    for line in text[:-1].split("\n"):
        typed = TYPE_LINE.match(line)
        if typed:
            assert typed.group(1) not in declared, f"family declared twice: {line!r}"
            current = typed.group(1)
            declared.add(current)
            continue
        sample = SAMPLE_LINE.match(line)
        assert sample, f"not a sample line: {line!r}"
        name, labels_text, value = sample.group(1), sample.group(2), sample.group(7)
        assert name == current, f"sample outside its family: {line!r}"
        pairs = LABELS.findall(labels_text or "")
        names = [key for key, _ in pairs]
        assert len(set(names)) == len(names), f"label repeated: {line!r}"
        assert not any(key.startswith("__") for key in names), f"reserved label: {line!r}"
        identity = (name, frozenset(pairs))
        assert identity not in identities, f"duplicate sample: {line!r}"
        identities.add(identity)
        found.append((name, dict(pairs), value))
    return found


def parse(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Samples by (name, sorted labels) as prometheus_client reads them; families untyped."""
    values = {}
    for family in text_string_to_metric_families(text):
        assert family.type == "unknown"  # untyped, as declared
        for sample in family.samples:
            assert sample.name == family.name
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def test_emulator_metrics_become_labelled_families(
    emulator: Any, make_archive: Callable[..., Path]
) -> None:
    admin = APINodeAdminClient(emulator.uri, emulator.admin_key)
    admin.create_service("churn")
    admin.service("churn").import_generation_from_archive(str(make_archive("v1")))
    admin.service("churn").switch_to_newest()
    with APINodeClient(emulator.uri, "churn") as user:
        for i in range(3):
            user.predict_record("score", {"i": i})
        user.predict_records("score", [{"features": {"i": 1}}, {"features": {"i": 2}}])
    metrics = admin.get_metrics()

    text = exposition([(None, metrics)])
    check_wellformed(text)
    values = parse(text)
    churn = (("service", "churn"),)
    score = (("endpoint", "score"), ("service", "churn"))
    assert values[("apinode_service_requests", churn)] == 4
    assert values[("apinode_service_endpoint_records", score)] == 5
    by_generation = (("endpoint", "score"), ("generation", "v1"), ("service", "churn"))
    assert values[("apinode_service_endpoint_generation", by_generation)] == 4
    assert values[("apinode_emulated", ())] == 1
    assert values[("apinode_admin_byMethod", (("method", "POST"),))] >= 2
    latency = values[("apinode_service_endpoint_latencyMs_total", score)]
    assert latency == metrics["services"]["churn"]["endpoints"]["score"]["latencyMs"]["total"]
    assert "# TYPE apinode_service_requests untyped\n" in text


EMULATOR_SHAPE = {
    "emulated": True,
    "admin": {"requests": 12, "byMethod": {"GET": 7, "POST": 5}},
    "services": {
        "churn": {
            "requests": 40,
            "endpoints": {"score": {"requests": 40, "generations": {"v1": 28, "v2": 12}}},
        },
        "fraud": {"requests": 3, "endpoints": {}},
    },
}


def test_fleet_is_one_exposition_with_a_node_label_and_grouped_families() -> None:
    text = exposition([("paris", EMULATOR_SHAPE), ("lyon", EMULATOR_SHAPE)])
    check_wellformed(text)
    values = parse(text)
    for node in ("paris", "lyon"):
        key = (("node", node), ("service", "fraud"))
        assert values[("apinode_service_requests", key)] == 3
    lines = text.splitlines()
    assert lines[:3] == [
        "# TYPE apinode_emulated untyped",
        'apinode_emulated{node="paris"} 1',
        'apinode_emulated{node="lyon"} 1',
    ]
    assert (
        "apinode_service_endpoint_generation"
        '{node="lyon",service="churn",endpoint="score",generation="v2"} 12' in lines
    )


@pytest.mark.parametrize(
    ("path", "name", "labels"),
    [
        (("services", "churn", "requests"), "apinode_service_requests", [("service", "churn")]),
        (("services",), "apinode_services", []),  # a number, not a container
        (
            ("services", "endpoints", "requests"),
            "apinode_service_requests",
            [("service", "endpoints")],
        ),
        (("admin", "by_status", "200"), "apinode_admin_by_status", [("status", "200")]),
        (("byHTTPMethod", "GET"), "apinode_byHTTPMethod", [("http_method", "GET")]),
        (("latency", "p99.9"), "apinode_latency", [("latency", "p99.9")]),
        (("a b",), "apinode", [("key", "a b")]),
        (("queue", "0", "size"), "apinode_queue_size", [("queue", "0")]),
        (("queue", "0", "1"), "apinode_queue", [("queue", "0"), ("key", "1")]),
        (
            ("services", "a", "services", "b", "x"),
            "apinode_service_service_x",
            [("service", "a"), ("service_2", "b")],
        ),
        (("node", "x-y"), "apinode_node", [("node_2", "x-y")]),
        (("__x", "é"), "apinode___x", [("x", "é")]),
        (("Requests", "Total"), "apinode_Requests_Total", []),
    ],
)
def test_naming_rule(path: tuple[str, ...], name: str, labels: list[tuple[str, str]]) -> None:
    assert name_and_labels(path) == (name, tuple(labels))


def test_adversarial_shapes_parse() -> None:
    odd = {
        "deep": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}},
        "keys": {"with space": 1, "dot.ted": 2, "da-sh": 3, "ünï": 4, "日本": 5, "": 6},
        "quotes": {'say "hi"': 1, "back\\slash": 2, "new\nline": 3, 'all\\"\n': 4},
        "numbers": {
            "huge": 10**400,
            "big": 2**64,
            "inf": float("inf"),
            "ninf": float("-inf"),
            "nan": float("nan"),
            "tiny": 5e-324,
            "neg": -0.0,
        },
        "flags": {"yes": True, "no": False},
        "lists": {"flat": [1, 2.5, "x", None], "nested": [[1, [2]], {"k": 3}], "empty": []},
        "empty": {},
        "skipped": {"s": "text", "n": None},
        "a_b": 1,
        "a": {"b": 2},
    }
    result = collect([(None, odd)])
    text = result.text()
    samples = check_wellformed(text)
    values = parse(text)
    assert len(values) == len(samples)

    assert values[("apinode_keys", (("keys", "ünï"),))] == 4
    assert values[("apinode_keys", (("keys", ""),))] == 6
    assert values[("apinode_quotes", (("quotes", 'all\\"\n'),))] == 4
    assert values[("apinode_quotes", (("quotes", "new\nline"),))] == 3
    assert values[("apinode_deep_a_b_c_d_e_f", ())] == 1
    assert ("apinode_numbers_huge", ()) not in values
    assert values[("apinode_numbers_big", ())] == 2**64
    assert values[("apinode_numbers_inf", ())] == math.inf
    assert values[("apinode_numbers_ninf", ())] == -math.inf
    assert math.isnan(values[("apinode_numbers_nan", ())])
    assert values[("apinode_numbers_tiny", ())] == 5e-324
    assert (values[("apinode_flags_yes", ())], values[("apinode_flags_no", ())]) == (1, 0)
    assert values[("apinode_lists_flat", (("flat", "1"),))] == 2.5
    assert values[("apinode_lists_nested", (("key", "0"), ("nested", "0")))] == 1
    assert values[("apinode_lists_nested_k", (("nested", "1"),))] == 3
    assert not [key for key in values if "skipped" in key[0] or "empty" in key[0]]
    # a_b and a.b are both apinode_a_b: the first wins, the later is reported.
    assert values[("apinode_a_b", ())] == 1
    assert [s.path for s in result.skipped] == [("a", "b")]


def test_lone_surrogate_in_a_key_is_replaced_not_a_crash() -> None:
    text = exposition([(None, {"m": {"bad\ud800key": 1}})])
    check_wellformed(text)
    assert text == '# TYPE apinode_m untyped\napinode_m{m="bad?key"} 1\n'


def test_keys_differing_only_by_lone_surrogates_are_one_sample_not_two() -> None:
    # Both keys are written "bad?key": a second line would be a duplicate sample, which the
    # textfile collector and the push gateway reject as a whole.
    keys = dict([("bad\ud800key", 1), ("bad\ud801key", 2)])  # two keys (ruff takes them for one)
    result = collect([(None, {"m": keys})])
    check_wellformed(result.text())
    assert result.text() == '# TYPE apinode_m untyped\napinode_m{m="bad?key"} 1\n'
    assert [s.path for s in result.skipped] == [("m", "bad\ud801key")]


def test_nothing_numeric_is_an_empty_exposition() -> None:
    assert exposition([(None, {}), ("n", {"a": "x", "b": None, "c": []}), ("m", None)]) == ""


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (-3, "-3"),
        (2**53, "9007199254740992"),
        (2**60, "1.152921504606847e+18"),
        (0.1, "0.1"),
        (1e300, "1e+300"),
        (float("nan"), "NaN"),
        (float("-inf"), "-Inf"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_escape_label_value() -> None:
    assert escape_label_value('a\\b"c\nd') == 'a\\\\b\\"c\\nd'


def test_invalid_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="metric name"):
        exposition([(None, {"a": 1})], prefix="api-node")


KEYS = st.one_of(
    st.text(max_size=8),
    st.sampled_from(
        ["services", "endpoints", "generations", "byMethod", "by_x", "node", "a", "a_b", "__"]
    ),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**1000, max_value=2**1100),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=5),
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(max_size=6)), st.dictionaries(KEYS, JSON, max_size=6)
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_json_gives_a_wellformed_exposition(nodes: list[tuple[Any, dict[str, Any]]]) -> None:
    result = collect(nodes)
    text = result.text()
    samples = check_wellformed(text)
    values = parse(text)
    assert len(values) == len(samples)
    kept = [s for family in result.families.values() for s in family]
    assert len(kept) == len(samples)
    for sample in kept:
        # Lone surrogates are written as "?"; otherwise the parser gives back the JSON's keys.
        labels = [(k, v.encode("utf-8", "replace").decode()) for k, v in sample.labels]
        parsed = values[(sample.name, tuple(sorted(labels)))]
        assert (
            float(parsed) == float(sample.value) or math.isnan(parsed) and math.isnan(sample.value)
        )
