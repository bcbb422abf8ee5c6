"""``services``: every command against the emulator, state checked on the node afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check


def listed(node_cli: RunCli) -> dict[str, bool]:
    result = node_cli("services", "list", "-o", "json")
    check(result)
    return {s["serviceId"]: s["enabled"] for s in json.loads(result.stdout)}


def mapping_of(node_cli: RunCli, service: str) -> dict[str, float]:
    result = node_cli("generations", "list", service, "-o", "json")
    check(result)
    return {g["generationId"]: g["mapped"] for g in json.loads(result.stdout)["generations"]}


def set_mapping_requests(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.received if r["path"].endswith("/setMapping")]


@pytest.fixture
def churn(node_cli: RunCli, make_archive: Callable[..., Path]) -> str:
    """Service ``churn`` with generations v1 and v2 imported, none active."""
    check(node_cli("services", "create", "churn"))
    for name in ("v1", "v2"):
        check(node_cli("generations", "import", "churn", str(make_archive(name))))
    return "churn"


def test_list_empty_then_create(node_cli: RunCli) -> None:
    assert listed(node_cli) == {}
    result = node_cli("services", "create", "churn")
    check(result)
    assert result.stdout == ""
    assert "Created service churn." in result.stderr
    assert listed(node_cli) == {"churn": True}


def test_list_plain_shows_declared_columns(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "churn"))
    check(node_cli("services", "create", "fraud"))
    result = node_cli("services", "list")
    check(result)
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SERVICE", "ENABLED"]
    assert [line.split() for line in lines[1:]] == [["churn", "true"], ["fraud", "true"]]
    assert result.stderr == ""


def test_create_json_prints_the_node_answer(node_cli: RunCli, emulator: Any) -> None:
    result = node_cli("services", "create", "churn", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == {"ok": True}  # the emulator's answer to POST services
    (sent,) = [r for r in emulator.received if r["method"] == "POST"]
    assert sent["path"].rstrip("/") == "/admin/api/services"
    assert json.loads(sent["body"]) == {"serviceId": "churn"}
    assert emulator.app.store.read()["services"]["churn"]["enabled"] is True
    # An answer of another shape is printed as it came, not rebuilt.
    emulator.add_fault(method="POST", path="/admin/api/services", status=200, body={"id": 7})
    again = node_cli("services", "create", "fraud", "-o", "json")
    check(again)
    assert json.loads(again.stdout) == {"id": 7}


def test_create_existing_exits_6(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "churn"))
    result = node_cli("services", "create", "churn")
    check(result, 6)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and "already exists" in result.stderr


def test_delete_requires_yes_off_a_terminal(node_cli: RunCli, emulator: Any) -> None:
    check(node_cli("services", "create", "churn"))
    emulator.clear_received()
    result = node_cli("services", "delete", "churn")
    check(result, 2)
    assert result.stdout == ""
    assert "--yes" in result.stderr
    assert [r for r in emulator.received if r["method"] == "DELETE"] == []
    assert "churn" in listed(node_cli)


@pytest.mark.parametrize("flag", ["-y", "--yes"])
def test_delete_with_yes(node_cli: RunCli, flag: str) -> None:
    check(node_cli("services", "create", "churn"))
    result = node_cli("services", "delete", "churn", flag)
    check(result)
    assert result.stdout == ""
    assert "Deleted service churn." in result.stderr
    assert listed(node_cli) == {}


def test_delete_unknown_exits_5(node_cli: RunCli) -> None:
    result = node_cli("services", "delete", "nope", "-y")
    check(result, 5)
    assert result.stdout == ""
    assert "not found" in result.stderr


def test_disable_then_enable(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "churn"))
    result = node_cli("services", "disable", "churn")
    check(result)
    assert result.stdout == "" and "Disabled service churn." in result.stderr
    assert listed(node_cli) == {"churn": False}
    result = node_cli("services", "enable", "churn")
    check(result)
    assert result.stdout == "" and "Enabled service churn." in result.stderr
    assert listed(node_cli) == {"churn": True}


def test_enable_json_prints_the_node_answer(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "churn"))
    result = node_cli("services", "enable", "churn", "--json")
    check(result)
    assert json.loads(result.stdout) == {"ok": True}


def test_switch_to_newest_prints_the_generation(node_cli: RunCli, churn: str) -> None:
    result = node_cli("services", "switch-to-newest", churn)
    check(result)
    assert result.stdout == "v2\n"
    assert "now serves generation v2" in result.stderr
    assert mapping_of(node_cli, churn) == {"v1": 0, "v2": 1}


def test_switch_to_newest_json(node_cli: RunCli, churn: str) -> None:
    result = node_cli("services", "switch-to-newest", churn, "-o", "json")
    check(result)
    assert json.loads(result.stdout) == {"switchedToGeneration": "v2"}


def test_switch_to_newest_without_generation_exits_1(node_cli: RunCli) -> None:
    check(node_cli("services", "create", "empty"))
    result = node_cli("services", "switch-to-newest", "empty")
    check(result, 1)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


def test_switch_to_one_generation(node_cli: RunCli, churn: str) -> None:
    check(node_cli("services", "disable", churn))
    result = node_cli("services", "switch-to", churn, "v1")
    check(result)
    assert result.stdout == ""
    assert "now serves generation v1" in result.stderr
    assert mapping_of(node_cli, churn) == {"v1": 1, "v2": 0}
    assert listed(node_cli) == {churn: True}


def test_switch_to_unknown_generation_exits_5(node_cli: RunCli, churn: str) -> None:
    result = node_cli("services", "switch-to", churn, "v9")
    check(result, 5)
    assert result.stdout == ""


# -- set-mapping ------------------------------------------------------------------------------


def test_set_mapping_from_file(node_cli: RunCli, churn: str, tmp_path: Path) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(
        '{"entries": [{"generation": "v1", "proba": 0.7}, {"generation": "v2", "proba": 0.3}]}'
    )
    result = node_cli("services", "set-mapping", churn, str(path))
    check(result)
    assert result.stdout == ""
    assert "v1 70%, v2 30%" in result.stderr
    assert mapping_of(node_cli, churn) == {"v1": 0.7, "v2": 0.3}


def test_set_mapping_from_stdin(node_cli: RunCli, churn: str) -> None:
    text = '{"entries": [{"generation": "v2", "proba": 1}]}'
    result = node_cli("services", "set-mapping", churn, "-", input=text)
    check(result)
    assert result.stdout == ""
    assert mapping_of(node_cli, churn) == {"v1": 0, "v2": 1}


def test_set_mapping_from_entries(node_cli: RunCli, churn: str) -> None:
    check(node_cli("services", "disable", churn))
    result = node_cli("services", "set-mapping", churn, "--entry", "v1=0.9", "--entry", "v2=0.1")
    check(result)
    assert result.stdout == ""
    assert mapping_of(node_cli, churn) == {"v1": 0.9, "v2": 0.1}
    assert listed(node_cli) == {churn: True}  # a mapping also enables the service


def test_set_mapping_entries_as_percentages(node_cli: RunCli, churn: str, emulator: Any) -> None:
    emulator.clear_received()
    result = node_cli("services", "set-mapping", churn, "--entry", "v1=90%", "--entry", "v2=10%")
    check(result)
    (sent,) = set_mapping_requests(emulator)
    assert json.loads(sent["body"]) == {
        "entries": [{"generation": "v1", "proba": 0.9}, {"generation": "v2", "proba": 0.1}]
    }
    assert mapping_of(node_cli, churn) == {"v1": 0.9, "v2": 0.1}


def test_set_mapping_json_answer(node_cli: RunCli, churn: str) -> None:
    result = node_cli("services", "set-mapping", churn, "--entry", "v1=1", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == {"ok": True}


def test_set_mapping_keeps_unknown_fields(node_cli: RunCli, churn: str, emulator: Any) -> None:
    mapping = {
        "entries": [
            {"generation": "v1", "proba": 0.5, "note": "canary", "weight": [1, 2]},
            {"generation": "v2", "proba": 0.5},
        ],
        "comment": "rollout 42",
        "extra": {"nested": None},
    }
    text = json.dumps(mapping)
    emulator.clear_received()
    result = node_cli("services", "set-mapping", churn, "-", input=text)
    check(result)
    (sent,) = set_mapping_requests(emulator)
    assert json.loads(sent["body"]) == mapping
    state = [json.loads(p.read_text()) for p in emulator.data_dir.glob("services/*/service.json")]
    assert mapping in _all_values(state)


def _all_values(obj: Any) -> list[Any]:
    """Every dict and list inside a JSON document, so a stored mapping is found wherever."""
    found = [obj]
    children = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else []
    for child in children:
        found.extend(_all_values(child))
    return found


INVALID_MAPPINGS = {
    "bad json": ("-", "{entries: nope"),
    "not an object": ("-", "[1, 2]"),
    "empty input": ("-", "   \n"),
    "sum 0.9": ("-", '{"entries": [{"generation": "v1", "proba": 0.9}]}'),
    "proba above 1": (
        "-",
        '{"entries": [{"generation": "v1", "proba": 1.5}, {"generation": "v2", "proba": -0.5}]}',
    ),
    "duplicate": (
        "-",
        '{"entries": [{"generation": "v1", "proba": 0.5}, {"generation": "v1", "proba": 0.5}]}',
    ),
    "empty entries": ("-", '{"entries": []}'),
    "no entries": ("-", '{"comment": "x"}'),
    "proba not a number": ("-", '{"entries": [{"generation": "v1", "proba": "1"}]}'),
    "entry sum 0.9": ("--entry", "v1=0.9"),
    "entry proba > 1": ("--entry", "v1=1.2"),
    "entry not a number": ("--entry", "v1=lots"),
    "entry without generation": ("--entry", "=1"),
    "entry without =": ("--entry", "v1"),
}


@pytest.mark.parametrize("how, text", INVALID_MAPPINGS.values(), ids=list(INVALID_MAPPINGS))
def test_invalid_mapping_exits_2_and_sends_nothing(
    node_cli: RunCli, churn: str, emulator: Any, how: str, text: str
) -> None:
    emulator.clear_received()
    if how == "-":
        result = node_cli("services", "set-mapping", churn, "-", input=text)
    else:
        result = node_cli("services", "set-mapping", churn, how, text)
    check(result, 2)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert set_mapping_requests(emulator) == []


def test_duplicate_entries_exit_2(node_cli: RunCli, churn: str, emulator: Any) -> None:
    emulator.clear_received()
    result = node_cli("services", "set-mapping", churn, "--entry", "v1=0.5", "--entry", "v1=0.5")
    check(result, 2)
    assert "twice" in result.stderr
    assert set_mapping_requests(emulator) == []


def test_file_and_entries_together_exit_2(
    node_cli: RunCli, churn: str, emulator: Any, tmp_path: Path
) -> None:
    path = tmp_path / "mapping.json"
    path.write_text('{"entries": [{"generation": "v1", "proba": 1}]}')
    emulator.clear_received()
    result = node_cli("services", "set-mapping", churn, str(path), "--entry", "v1=1")
    check(result, 2)
    assert "not both" in result.stderr
    assert set_mapping_requests(emulator) == []


def test_no_mapping_exits_2(node_cli: RunCli, churn: str, emulator: Any) -> None:
    emulator.clear_received()
    result = node_cli("services", "set-mapping", churn)
    check(result, 2)
    assert result.stdout == ""
    assert "--entry" in result.stderr
    assert set_mapping_requests(emulator) == []


def test_unreadable_mapping_file_exits_2(
    node_cli: RunCli, churn: str, emulator: Any, tmp_path: Path
) -> None:
    emulator.clear_received()
    result = node_cli("services", "set-mapping", churn, str(tmp_path / "missing.json"))
    check(result, 2)
    assert "cannot read" in result.stderr
    assert set_mapping_requests(emulator) == []


def test_mapping_of_unknown_generation_is_the_node_s_400(node_cli: RunCli, churn: str) -> None:
    result = node_cli("services", "set-mapping", churn, "--entry", "v9=1")
    check(result, 1)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


# -- clean-unused -----------------------------------------------------------------------------


def test_clean_unused_requires_yes(node_cli: RunCli, churn: str, emulator: Any) -> None:
    emulator.clear_received()
    result = node_cli("services", "clean-unused")
    check(result, 2)
    assert result.stdout == ""
    assert "--yes" in result.stderr
    assert emulator.received == []


def test_clean_unused_deletes_what_is_unused(node_cli: RunCli, churn: str) -> None:
    check(node_cli("services", "switch-to", churn, "v2"))
    check(node_cli("services", "create", "old"))
    check(node_cli("services", "disable", "old"))
    result = node_cli("services", "clean-unused", "-y", "-o", "json")
    check(result)
    answer = json.loads(result.stdout)
    assert answer["deletedServices"] == ["old"]
    assert answer["deletedGenerations"] == [{"serviceId": "churn", "generationId": "v1"}]
    assert listed(node_cli) == {"churn": True}
    assert mapping_of(node_cli, churn) == {"v2": 1}


def test_clean_unused_answer_of_another_shape_is_flattened(
    node_cli: RunCli, churn: str, emulator: Any
) -> None:
    # A node's answer is undocumented: one without the usual lists shows as KEY/VALUE rows.
    emulator.add_fault(
        method="DELETE", path="/admin/api/services-clean-unused", status=200,
        body={"removed": {"services": 2}},
    )  # fmt: skip
    result = node_cli("services", "clean-unused", "--yes", "-o", "tsv", "--no-headers")
    check(result)
    assert result.stdout.splitlines() == ["removed.services\t2"]
