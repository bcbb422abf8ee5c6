"""State files: the model they give, and every fault named with the file and the key path."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.state import (
    MAX_BYTES,
    ServiceSpec,
    StateFileError,
    parse_state_data,
    parse_state_text,
    read_state_file,
)

EXAMPLE = """
[services.churn]
enabled = true
generations = { v1 = "/srv/packages/churn-v1.zip", v2 = "/srv/packages/churn-v2.zip" }
mapping = { v1 = 0.9, v2 = "10%" }
preload = ["v2"]

[services.fraud]
active = "v3"
generations = { v3 = "/srv/packages/fraud-v3.zip" }

[services.legacy]
enabled = false
generations = { g1 = "" }
"""


def test_example_gives_the_model() -> None:
    desired = parse_state_text(EXAMPLE, "state file prod.toml")
    assert desired.source == "state file prod.toml"
    assert desired.service_ids() == ["churn", "fraud", "legacy"]
    churn, fraud, legacy = desired.services
    assert churn == ServiceSpec(
        service_id="churn",
        enabled=True,
        generations=(("v1", "/srv/packages/churn-v1.zip"), ("v2", "/srv/packages/churn-v2.zip")),
        mapping=(("v1", 0.9), ("v2", 0.1)),
        active=None,
        preload=("v2",),
    )
    assert fraud.enabled is True  # the default
    assert fraud.active == "v3" and fraud.mapping == (("v3", 1.0),)
    assert legacy.enabled is False and legacy.mapping is None
    assert legacy.generations == (("g1", ""),)


def test_a_service_table_may_be_empty_and_services_may_be_none() -> None:
    assert parse_state_text("[services.a]\n").services == (ServiceSpec("a"),)
    assert parse_state_text("[services]\n").services == ()


def test_shares_follow_set_mapping_rules() -> None:
    gens = '[services.a]\ngenerations = {x = "/x.zip", y = "/y.zip"}\n'
    text = gens + 'mapping = {x = 1, y = "0%"}\n'
    assert parse_state_text(text).services[0].mapping == (("x", 1.0), ("y", 0.0))
    text = gens + "mapping = {x = 0.5, y = 0.5000001}"
    assert parse_state_text(text).services[0].mapping == (("x", 0.5), ("y", 0.5000001))


def test_paths_are_absolute_on_the_nodes_linux_disk() -> None:
    text = "[services.a]\ngenerations = { x = 'C:\\pkg\\x.zip', y = '/srv/y.zip' }"
    with pytest.raises(UsageError, match=r"generations.x: archive path 'C:\\\\pkg"):
        parse_state_text(text)


GEN = 'generations = { v1 = "/p/v1.zip", v2 = "/p/v2.zip" }\n'
FAULTS = [
    ("[services.churn]\nmapin = 1\n", "services.churn.mapin: unknown key (expected one of: "),
    ("servics = {}\n", "servics: unknown key (expected one of: services, deployments)"),
    ("", "no `services` table"),
    ("services = 1\n", "services: must be a table of [services.ID] tables, not an integer"),
    ("services = { a = 1 }\n", "services.a: must be a table, not an integer"),
    ('[services.""]\n', 'services."": invalid service id: an id cannot be empty'),
    ('[services.".."]\n', "services.\"..\": invalid service id: '..' cannot be an id"),
    ("[services.a]\nenabled = 'yes'\n", "services.a.enabled: must be true or false, not a string"),
    ("[services.a]\ngenerations = []\n", "services.a.generations: must be a table of generation"),
    ("[services.a]\ngenerations = { v1 = 3 }\n", "services.a.generations.v1: must be an archive"),
    (
        '[services.a]\ngenerations = { v1 = "v1.zip" }\n',
        "services.a.generations.v1: archive path 'v1.zip' must be absolute",
    ),
    ('[services.a]\ngenerations = { "." = "/x.zip" }\n', 'services.a.generations.".": invalid'),
    ("[services.a]\nactive = 2\n", "services.a.active: must be a generation id, not an integer"),
    (
        '[services.a]\nactive = "v9"\n' + GEN,
        "services.a.active: generation 'v9' is not declared in services.a.generations",
    ),
    ('[services.a]\nactive = ""\n', "services.a.active: an id cannot be empty"),
    (
        '[services.a]\nactive = "v1"\nmapping = { v1 = 1 }\n' + GEN,
        "services.a: give `active` or `mapping`, not both",
    ),
    ("[services.a]\nmapping = 1\n", "services.a.mapping: must be a table of generation id = share"),
    ("[services.a]\nmapping = {}\n", "services.a.mapping: is empty"),
    (
        "[services.a]\nmapping = { v3 = 1 }\n" + GEN,
        "services.a.mapping.v3: generation 'v3' is not declared in services.a.generations",
    ),
    (
        "[services.a]\nmapping = { v1 = true }\n" + GEN,
        'services.a.mapping.v1: must be a share (0.9 or "90%"), not a boolean',
    ),
    (
        '[services.a]\nmapping = { v1 = "ninety" }\n' + GEN,
        "services.a.mapping.v1: 'ninety' is not a share",
    ),
    (
        "[services.a]\nmapping = { v1 = 0.9, v2 = 0.2 }\n" + GEN,
        "services.a.mapping: the probabilities sum to 1.1, not 1",
    ),
    (
        '[services.a]\nmapping = { v1 = "150%", v2 = -0.5 }\n' + GEN,
        "services.a.mapping: proba 1.5 of generation 'v1' is outside [0, 1]",
    ),
    ("[services.a]\nmapping = { v1 = nan }\n" + GEN, "proba nan of generation 'v1'"),
    ("[services.a]\npreload = 'v1'\n" + GEN, "services.a.preload: must be an array of generation"),
    ("[services.a]\npreload = [1]\n" + GEN, "services.a.preload.0: must be a generation id"),
    ('[services.a]\npreload = ["v1", "v1"]\n' + GEN, "services.a.preload: 'v1' appears twice"),
    (
        '[services.a]\npreload = ["v7"]\n' + GEN,
        "services.a.preload.0: generation 'v7' is not declared in services.a.generations",
    ),
    ("[services.a]\nenabled = 2024-01-01\n", "must be true or false, not a date/time"),
    ('[services."a.b"]\nx = 1\n', 'services."a.b".x: unknown key'),
]


@pytest.mark.parametrize(("text", "expected"), FAULTS)
def test_each_fault_is_named_with_file_and_key(text: str, expected: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_state_text(text, "state file prod.toml")
    assert info.value.exit_code == 2
    assert str(info.value).startswith("state file prod.toml: ")
    assert expected in str(info.value)


def test_every_fault_of_the_file_is_listed() -> None:
    text = "[services.a]\nenabled = 1\nmapin = 2\n[services.b]\nactive = 'zz'\n"
    with pytest.raises(StateFileError) as info:
        parse_state_text(text, "state file f.toml")
    assert str(info.value).endswith("(and 2 more problems)")
    assert info.value.problems == [
        "state file f.toml: services.a.mapin: unknown key (expected one of: "
        "enabled, generations, active, mapping, preload)",
        "state file f.toml: services.a.enabled: must be true or false, not an integer",
        "state file f.toml: services.b.active: generation 'zz' is not declared in "
        "services.b.generations",
    ]


def test_toml_syntax_error_has_its_line() -> None:
    with pytest.raises(UsageError) as info:
        parse_state_text("[services.a]\nenabled = true\nmapping = {v1 = }\n", "state file f.toml")
    message = str(info.value)
    assert message.startswith("state file f.toml: invalid TOML: ")
    assert "line 3" in message


def test_toml_duplicate_table_is_a_syntax_error() -> None:
    with pytest.raises(UsageError, match="invalid TOML"):
        parse_state_text("[services.a]\n[services.a]\n")


JSON_FAULTS = [
    # The column and the wording are the json module's, and vary with the Python version.
    ('{"services": {\n  "a": {"enabled": true,}\n}}', "invalid JSON at line 2, column "),
    ('{"services": {"a": {"mapping": {"v": NaN}}}}', "invalid JSON at line 1, column 38: NaN"),
    ('{"services": {"a": {"x": "NaN"},\n "b": -Infinity}}', "at line 2, column 7: -Infinity"),
    ('{"services": {"a": {}, "a": {}}}', "invalid JSON: key 'a' appears twice in one object"),
    ("[1]", "must be a table of services, not an array"),
    (
        '{"services": {"a": {"enabled": null}}}',
        "services.a.enabled: must be true or false, not null",
    ),
    ("[" * 100000, "nested too deeply"),
]


@pytest.mark.parametrize(("text", "expected"), JSON_FAULTS)
def test_json_faults(text: str, expected: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_state_text(text, "state file f.json", "json")
    assert str(info.value).startswith("state file f.json: ")
    assert expected in str(info.value)


def test_json_has_the_same_structure() -> None:
    data = {
        "services": {
            "churn": {
                "generations": {"v1": "/p/v1.zip", "v2": ""},
                "mapping": {"v1": 0.5, "v2": "50%"},
            }
        }
    }
    import json

    desired = parse_state_text(json.dumps(data), fmt="json")
    assert desired == parse_state_data(data)
    assert desired.services[0].mapping == (("v1", 0.5), ("v2", 0.5))


def test_read_file_by_extension(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"services": {"a": {}}}')
    (tmp_path / "s.toml").write_text("[services.b]\n")
    assert read_state_file(str(tmp_path / "s.json")).service_ids() == ["a"]
    toml_state = read_state_file(str(tmp_path / "s.toml"))
    assert toml_state.service_ids() == ["b"]
    assert toml_state.source == f"state file {tmp_path / 's.toml'}"


def test_read_stdin_sniffs_json_or_toml() -> None:
    from_json = read_state_file("-", io.StringIO(' {"services": {"a": {}}}'))
    assert from_json.service_ids() == ["a"] and from_json.source == "state file on stdin"
    assert read_state_file("-", io.BytesIO(b"\xef\xbb\xbf[services.b]\n")).service_ids() == ["b"]
    assert read_state_file("-", "[services.c]\n").service_ids() == ["c"]
    with pytest.raises(UsageError, match="^state file on stdin: services.a.x: unknown key"):
        read_state_file("-", "[services.a]\nx=1\n")


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"^cannot read state file .*nope.toml: No such file"):
        read_state_file(str(tmp_path / "nope.toml"))
    with pytest.raises(UsageError, match="cannot read state file"):
        read_state_file(str(tmp_path))
    (tmp_path / "latin1.toml").write_bytes(b"[services.caf\xe9]\n")
    with pytest.raises(UsageError, match=r"latin1.toml is not UTF-8 text \(byte 13\)"):
        read_state_file(str(tmp_path / "latin1.toml"))
    stdin = io.TextIOWrapper(io.BytesIO(b"#\xff\n"), encoding="utf-8")
    with pytest.raises(UsageError, match=r"^state file on stdin is not UTF-8 text \(byte 1\)"):
        read_state_file("-", stdin)


def test_input_is_capped_at_16_mib(tmp_path: Path) -> None:
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(UsageError, match="big.toml is larger than 16 MiB") as info:
        read_state_file(str(big))
    assert info.value.exit_code == 2
    with pytest.raises(UsageError, match="state file on stdin is larger than 16 MiB"):
        read_state_file("-", io.BytesIO(b" " * (MAX_BYTES + 1)))
    exact = tmp_path / "exact.toml"
    exact.write_bytes(b"[services]\n" + b"#" * (MAX_BYTES - 11))
    assert read_state_file(str(exact)).services == ()
