"""``predict`` on the emulator's user API: features, dispatch, batches, errors and routing."""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import check

from apinode_admin_cli.cli.userapi.common import parse_pair as parse_feature
from apinode_admin_cli.cli.userapi.common import typed_value
from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
from apinode_admin_cli.errors import UsageError

MAPPING_70_30 = {
    "entries": [{"generation": "v1", "proba": 0.7}, {"generation": "v2", "proba": 0.3}]
}


@pytest.fixture
def admin(emulator: Any) -> APINodeAdminClient:
    return APINodeAdminClient(emulator.uri, emulator.admin_key)


@pytest.fixture
def canary(admin: APINodeAdminClient, make_archive: Callable[..., Path]) -> str:
    """Service churn with v1 and v2 split 70/30."""
    admin.create_service("churn")
    for name in ("v1", "v2"):
        admin.service("churn").import_generation_from_archive(str(make_archive(name)))
    admin.service("churn").set_generations_mapping(MAPPING_70_30)
    return "churn"


def predictions(emulator: Any) -> list[dict[str, Any]]:
    """The bodies of the user-API requests the emulator received."""
    return [
        json.loads(r["body"]) for r in emulator.received if r["path"].startswith("/public/api/v1/")
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("-1.5", -1.5),
        ("true", True),
        ("null", None),
        ('"01234"', "01234"),
        ("Paris", "Paris"),
        ("01234", "01234"),
        ("NaN", "NaN"),
        ("[1, 2]", "[1, 2]"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_feature_values_are_typed_when_they_are_json_scalars(text: str, value: Any) -> None:
    assert typed_value(text) == value
    assert type(typed_value(text)) is type(value)


@pytest.mark.parametrize("token", ["age", "=42", ""])
def test_a_feature_without_name_or_equals_sign_is_a_usage_error(token: str) -> None:
    with pytest.raises(UsageError):
        parse_feature(token)


def test_the_originals_k_v_form_prints_one_line_of_json(
    node_cli: Any, emulator: Any, canary: str
) -> None:
    emulator.clear_received()
    result = node_cli("predict", canary, "score", "age=42", "city=Paris", "vip=true", "q=a=b")
    check(result)
    answer = json.loads(result.stdout)
    assert result.stdout == json.dumps(answer) + "\n"
    assert answer["result"]["prediction"] in ("0", "1")
    assert predictions(emulator)[0]["features"] == {
        "age": 42,
        "city": "Paris",
        "vip": True,
        "q": "a=b",
    }


@pytest.mark.parametrize(
    ("option", "value", "sent"),
    [
        ("--forced-generation", "v2", {"forcedGeneration": "v2"}),
        ("--dispatch-key", "user-42", {"dispatchKey": "user-42"}),
    ],
)
def test_the_originals_form_takes_its_dispatch_options(
    node_cli: Any, emulator: Any, canary: str, option: str, value: str, sent: dict[str, str]
) -> None:
    emulator.clear_received()
    result = node_cli("predict", canary, "score", "age=42", option, value)
    check(result)
    answer = json.loads(result.stdout)
    assert result.stdout == json.dumps(answer) + "\n"  # still the original's one line
    assert predictions(emulator)[0]["dispatch"] == sent
    if option == "--forced-generation":
        assert answer["apiContext"]["serviceGeneration"] == "v2"


@pytest.mark.parametrize("how", ["text", "file", "stdin"])
def test_features_as_json_text_file_or_stdin_merged_with_feature_options(
    node_cli: Any, emulator: Any, canary: str, tmp_path: Path, how: str
) -> None:
    doc = '{"age": 42, "plan": "pro"}'
    path = tmp_path / "features.json"
    path.write_text(doc)
    source = {"text": doc, "file": f"@{path}", "stdin": "-"}[how]
    emulator.clear_received()
    result = node_cli(
        "predict", canary, "score", source, "--feature", "plan=max", "-o", "json", input=doc
    )
    check(result)
    assert predictions(emulator)[0]["features"] == {"age": 42, "plan": "max"}


def test_json_output_is_the_nodes_answer_and_the_table_shows_generation_and_probas(
    node_cli: Any, canary: str
) -> None:
    raw = node_cli(
        "predict", canary, "score", "-f", "age=42", "--forced-generation", "v2", "--json"
    )
    check(raw)
    answer = json.loads(raw.stdout)
    assert answer["apiContext"]["serviceGeneration"] == "v2"
    assert set(answer) >= {"result", "apiContext"}

    table = node_cli(
        "predict", canary, "score", "-f", "age=42", "--forced-generation", "v2", "-o", "tsv"
    )
    check(table)
    probas = answer["result"]["probas"]
    assert table.stdout.splitlines() == [
        "\t".join(["GENERATION", "PREDICTION"] + [f"P({c})" for c in probas]),
        "\t".join(["v2", answer["result"]["prediction"]] + [str(p) for p in probas.values()]),
    ]
    assert table.stderr == ""


def test_forced_generation_is_sent_and_always_served(
    node_cli: Any, emulator: Any, canary: str
) -> None:
    emulator.clear_received()
    for _ in range(10):
        result = node_cli("predict", canary, "score", "-f", "a=1", "--forced-generation", "v2")
        check(result)
        assert result.stdout.splitlines()[1].split()[0] == "v2"
    assert all(p["dispatch"] == {"forcedGeneration": "v2"} for p in predictions(emulator))


def test_a_dispatch_key_sticks_to_one_generation(node_cli: Any, canary: str) -> None:
    served = set()
    for _ in range(8):
        result = node_cli(
            "predict", canary, "score", "-f", "a=1", "--dispatch-key", "user-42", "--json"
        )
        check(result)
        served.add(json.loads(result.stdout)["apiContext"]["serviceGeneration"])
    assert len(served) == 1


def test_batch_from_json_lines_or_array(
    node_cli: Any, emulator: Any, canary: str, tmp_path: Path
) -> None:
    lines = '{"age": 1}\n\n{"features": {"age": 2}, "context": {"src": "x"}}\n{"age": 3}\n'
    emulator.clear_received()
    result = node_cli(
        "predict", canary, "score", "--batch", "-", "--dispatch-key", "k", "-o", "tsv",
        "--context", '{"src": "cli"}', input=lines,
    )  # fmt: skip
    check(result)
    rows = result.stdout.splitlines()
    assert rows[0].split("\t")[:3] == ["AGE", "GENERATION", "PREDICTION"]
    assert [r.split("\t")[0] for r in rows[1:]] == ["1", "2", "3"]
    body = predictions(emulator)[0]
    assert body["dispatch"] == {"dispatchKey": "k"}
    assert body["items"] == [
        {"features": {"age": 1}, "context": {"src": "cli"}},
        {"features": {"age": 2}, "context": {"src": "x"}},
        {"features": {"age": 3}, "context": {"src": "cli"}},
    ]

    array = tmp_path / "records.json"
    array.write_text(json.dumps([{"age": n} for n in range(5)]))
    result = node_cli("predict", canary, "score", "--batch", str(array), "--json")
    check(result)
    assert [row["age"] for row in json.loads(result.stdout)] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (("age",), None, "malformed feature"),
        (("--feature", "=1"), None, "malformed feature"),
        (("{not json",), None, "not valid JSON"),
        (("[1, 2]",), None, "malformed feature"),
        (("-",), "[1]", "JSON object"),
        (("@/no/such/file.json",), None, "cannot read"),
        (("-f", "a=1", "--forced-generation", "v1", "--dispatch-key", "k"), None, "not both"),
        (("--batch", "-"), "", "no records"),
        (("--batch", "-"), "{\n", "not valid JSON"),
        (("--batch", "-"), "[1, 2]", "not a JSON object"),
        (("--batch", "-"), "null", "cannot tell the format"),
        (("--batch", "-", "a=1"), "{}", "not both"),
        (("-f", "a=1", "--context", "[]"), None, "JSON object"),
    ],
)
def test_bad_input_exits_2_and_sends_nothing(
    node_cli: Any, emulator: Any, canary: str, args: tuple[str, ...], stdin: Any, says: str
) -> None:
    emulator.clear_received()
    result = node_cli("predict", canary, "score", *args, input=stdin)
    check(result, 2)
    assert result.stdout == ""
    assert says in result.stderr
    assert predictions(emulator) == []


def test_a_disabled_service_fails_with_the_nodes_message(
    node_cli: Any, admin: APINodeAdminClient, canary: str
) -> None:
    admin.service(canary).disable()
    result = node_cli("predict", canary, "score", "-f", "a=1")
    check(result, 7)  # the node answers 503: the tree's "node failed" code
    assert result.stdout == ""
    assert "disabled" in result.stderr
    assert "services enable churn" in result.stderr


def test_no_active_generation_fails_and_says_how_to_activate_one(
    node_cli: Any, admin: APINodeAdminClient, make_archive: Callable[..., Path]
) -> None:
    admin.create_service("fresh")
    admin.service("fresh").import_generation_from_archive(str(make_archive("v1")))
    result = node_cli("predict", "fresh", "score", "a=1")
    check(result, 7)
    assert result.stdout == ""
    assert "no active generation" in result.stderr
    assert "switch-to-newest fresh" in result.stderr


def test_an_unknown_service_exits_5(node_cli: Any) -> None:
    result = node_cli("predict", "nope", "score", "a=1")
    check(result, 5)
    assert result.stdout == ""


def test_predict_needs_only_the_uri(emulator: Any, run_cli: Any, canary: str) -> None:
    result = run_cli("predict", canary, "score", "a=1", env={"APINODE_ADMIN_URI": emulator.uri})
    check(result)
    assert json.loads(result.stdout)["result"]


def test_the_service_key_is_sent_as_basic_auth_and_never_printed(
    node_cli: Any, emulator: Any, canary: str
) -> None:
    secret = "svc-secret-123"
    emulator.clear_received()
    result = node_cli(
        "-v", "predict", canary, "score", "a=1", env={"APINODE_ADMIN_SERVICE_KEY": secret}
    )
    check(result)
    sent = [r for r in emulator.received if r["path"].startswith("/public/")][0]
    auth = {k.lower(): v for k, v in sent["headers"].items()}["authorization"]
    assert base64.b64decode(auth.split()[1]).decode().startswith(secret)
    assert secret not in result.stdout and secret not in result.stderr


def test_predict_help_has_examples(run_cli: Any) -> None:
    result = run_cli("predict", "--help")
    check(result)
    assert "Examples:" in result.stdout
    assert "--batch" in result.stdout and "APINODE_ADMIN_SERVICE_KEY" in result.stdout


def test_a_70_30_mapping_routes_about_70_percent_to_the_first_generation(
    emulator: Any, canary: str
) -> None:
    with APINodeClient(emulator.uri, canary) as client:
        served = Counter(
            client.predict_record("score", {"i": i})["apiContext"]["serviceGeneration"]
            for i in range(1000)
        )
        assert sum(served.values()) == 1000
        # 700 +/- 4 standard deviations (sqrt(1000 * 0.7 * 0.3) ~ 14.5).
        assert 640 <= served["v1"] <= 760, served

        landed = {}
        for key in (f"user-{n}" for n in range(40)):
            gens = {
                client.predict_record("score", {"a": 1}, dispatch_key=key)["apiContext"][
                    "serviceGeneration"
                ]
                for _ in range(5)
            }
            assert len(gens) == 1, (key, gens)
            landed[key] = gens.pop()
    assert set(landed.values()) == {"v1", "v2"}  # keys spread, each one sticks
