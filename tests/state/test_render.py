"""Plan lines (terraform style), notes about unmanaged services, and the JSON shape."""

from __future__ import annotations

import json

from apinode_admin_cli.state import (
    Change,
    Plan,
    change_line,
    plan_json,
    plan_lines,
    plan_notes,
)
from apinode_admin_cli.state.model import describe_mapping, percent

ALL = Plan(
    changes=(
        Change("fraud", "create"),
        Change("churn", "import", "v2 from /srv/packages/churn-v2.zip", "v2", "/srv/x"),
        Change("churn", "preload", "v2", "v2"),
        Change("churn", "set-mapping", "v1 100% -> v1 90% v2 10%"),
        Change("fraud", "switch", "none -> v3", "v3"),
        Change("churn", "enable"),
        Change("fraud", "disable"),
        Change("old", "delete", "prune"),
    ),
    unmanaged=("old",),
    prune=True,
)


def test_each_line_format() -> None:
    assert plan_lines(ALL) == [
        "+ service fraud",
        "+ churn: import v2 from /srv/packages/churn-v2.zip",
        "~ churn: preload v2",
        "~ churn: mapping v1 100% -> v1 90% v2 10%",
        "~ fraud: switch none -> v3",
        "~ churn: enable",
        "~ fraud: disable",
        "- service old (prune)",
    ]


def test_no_changes() -> None:
    assert plan_lines(Plan()) == ["No changes."]
    assert plan_json(Plan()) == {"changes": [], "unmanaged": []}


def test_json_shape() -> None:
    data = plan_json(ALL)
    assert data["changes"][1] == {
        "service": "churn",
        "action": "import",
        "detail": "v2 from /srv/packages/churn-v2.zip",
    }
    assert [c["action"] for c in data["changes"]] == [
        "create",
        "import",
        "preload",
        "set-mapping",
        "switch",
        "enable",
        "disable",
        "delete",
    ]
    assert data["unmanaged"] == ["old"]
    json.dumps(data)  # plain data only


def test_unmanaged_note_only_without_prune() -> None:
    assert plan_notes(Plan(unmanaged=("a", "b"))) == [
        "note: 2 services on the node not in the file, left alone: a, b "
        "(a pruning apply deletes them)"
    ]
    # The library names no CLI flag: a caller words the ways out.
    (worded,) = plan_notes(Plan(unmanaged=("a",)), prune="apply --prune deletes them")
    assert worded.endswith("left alone: a (apply --prune deletes them)")
    assert plan_notes(Plan(unmanaged=("a",)))[0].startswith("note: 1 service on the node ")
    assert plan_notes(Plan()) == []
    assert plan_notes(ALL) == []  # pruned: they are changes, not notes


def test_percentages() -> None:
    assert percent(0.9) == "90%"
    assert percent(1 / 3) == "33.3333%"
    assert percent(0.5000001) == "50%"
    assert describe_mapping((("v1", 0.9), ("v2", 0.1), ("v3", 0.0))) == "v1 90% v2 10%"
    assert describe_mapping(()) == "none"


def test_a_service_id_with_spaces_reads_plainly() -> None:
    assert change_line(Change("my churn", "enable")) == "~ my churn: enable"


def test_the_unmanaged_note_names_a_few_services_not_hundreds() -> None:
    unmanaged = tuple(f"service-{i:03d}" for i in range(300))
    (note,) = plan_notes(Plan(unmanaged=unmanaged))
    assert len(note) < 240, note  # was over 4,000 characters
    assert note.startswith("note: 300 services on the node not in the file, left alone: ")
    assert "service-000, service-001" in note and "service-299" not in note
    assert "and 295 more (the JSON plan lists them all)" in note
