"""Bad input: one clear line, exit 2 (3 for configuration), and nothing sent to the node."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli
from support.faults import assert_failed


@pytest.fixture
def quiet_node(emulator: Any) -> Any:
    """The emulator with an empty journal, so that a test can prove nothing was sent."""
    emulator.clear_received()
    return emulator


def _entries(*pairs: tuple[str, Any]) -> str:
    return json.dumps({"entries": [{"generation": g, "proba": p} for g, p in pairs]})


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"entries": [', ("not valid JSON",)),
        ("", ("empty",)),
        ("[1, 2]", ("JSON object",)),
        ("[" * 50000, ("nested too deeply",)),
        ('{"entries": []}', ("no entries",)),
        ('{"other": 1}', ("no entries",)),
        ('{"entries": [7]}', ("entry 0", "not an object")),
        ('{"entries": [{"proba": 1}]}', ("entry 0", "no generation")),
        (_entries(("v1", "1")), ("no numeric proba",)),
        (_entries(("v1", 1.5)), ("outside [0, 1]",)),
        (_entries(("v1", -0.5), ("v2", 1.5)), ("outside [0, 1]",)),
        (_entries(("v1", 10**400)), ("outside [0, 1]",)),
        (_entries(("v1", 0.5), ("v2", 0.4)), ("sum to 0.9",)),
        (_entries(("v1", 0.5), ("v1", 0.5)), ("'v1'", "twice")),
    ],
)
def test_invalid_mapping_on_stdin_is_refused_locally(
    node_cli: RunCli, quiet_node: Any, text: str, words: tuple[str, ...]
) -> None:
    result = node_cli("services", "set-mapping", "churn", "-", input=text)
    assert_failed(result, 2, *words)
    assert quiet_node.received == []


def test_invalid_mapping_file_names_the_file(
    node_cli: RunCli, quiet_node: Any, tmp_path: Path
) -> None:
    path = tmp_path / "mapping.json"
    path.write_text('{"entries": [{"generation": "v1", "proba": 1}', encoding="utf-8")
    assert_failed(node_cli("services", "set-mapping", "churn", str(path)), 2, "not valid JSON")
    missing = tmp_path / "nope.json"
    assert_failed(node_cli("services", "set-mapping", "churn", str(missing)), 2, "nope.json")
    assert quiet_node.received == []


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        (["v1"], ("GENERATION=PROBA",)),
        (["=0.5", "v2=0.5"], ("GENERATION=PROBA",)),
        (["v1=half"], ("not a number",)),
        (["v1=0.7", "v2=0.7"], ("sum to 1.4",)),
        (["v1=0.5", "v1=0.5"], ("twice",)),
        (["v1=2"], ("outside [0, 1]",)),
        (["v1=nan"], ("not a number",)),
    ],
)
def test_invalid_entries_are_refused_locally(
    node_cli: RunCli, quiet_node: Any, entries: list[str], words: tuple[str, ...]
) -> None:
    args = [a for e in entries for a in ("--entry", e)]
    assert_failed(node_cli("services", "set-mapping", "churn", *args), 2, *words)
    assert quiet_node.received == []


@pytest.mark.parametrize("feature", ["age", "=42"])
def test_malformed_feature(node_cli: RunCli, quiet_node: Any, feature: str) -> None:
    result = node_cli("predict", "churn", "score", "--feature", feature)
    assert_failed(result, 2, "malformed feature", "KEY=VALUE")
    assert quiet_node.received == []


@pytest.mark.parametrize("features", ['{"age": ', '{"age": ' + "[" * 50000])
def test_malformed_features_json(node_cli: RunCli, quiet_node: Any, features: str) -> None:
    assert_failed(node_cli("predict", "churn", "score", features), 2, "the JSON argument")
    assert quiet_node.received == []


def _config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return str(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[profiles.default\nuri = 1", ("invalid TOML",)),
        ('[profiles.default]\ntimeout = "soon"', ("`timeout`", "must be a number")),
        ("[profiles.default]\nretries = 2.5", ("`retries`", "must be an integer")),
        ("[profiles.default]\nno_check_certificate = 1", ("must be a boolean",)),
        ("[profiles.default]\nuri = 12000", ("`uri`", "must be a string")),
        ('[profiles.default]\nuri = "node:12000"', ("not an http:// or https:// URL",)),
        ('[profiles.default]\nuri = "http://node:12000/admin/api"', ("has a path",)),
        ('default_profile = "prod"\n[profiles.local]\nuri = "http://x"', ("'prod'", "local")),
        ("profiles = 3", ("`profiles`",)),
    ],
)
def test_bad_config_file_exits_3(
    node_cli: RunCli, quiet_node: Any, tmp_path: Path, text: str, words: tuple[str, ...]
) -> None:
    path = _config(tmp_path, text)
    result = node_cli("--config", path, "services", "list")
    assert_failed(result, 3, *words)
    assert quiet_node.received == []


def test_unknown_profile_flag_exits_3(node_cli: RunCli, quiet_node: Any, tmp_path: Path) -> None:
    path = _config(tmp_path, '[profiles.prod]\nuri = "http://127.0.0.1:9"\n')
    result = node_cli("--config", path, "--profile", "staging", "services", "list")
    assert_failed(result, 3, "'staging'", "prod")
    assert quiet_node.received == []


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("127.0.0.1:12000", ("not an http:// or https:// URL",)),
        ("ftp://node:12000", ("not an http:// or https:// URL",)),
        ("http://node:12000/admin/api", ("has a path", "/admin/api")),
        ("http://node:notaport", ("invalid port",)),
        ("http://node:12000?x=1", ("query",)),
    ],
)
def test_bad_uri(run_cli: RunCli, uri: str, words: tuple[str, ...]) -> None:
    assert_failed(run_cli("--uri", uri, "--api-key", "k", "services", "list"), 2, *words)
    env = {"APINODE_ADMIN_URI": uri, "APINODE_ADMIN_API_KEY": "k"}
    assert_failed(run_cli("services", "list", env=env), 3, "APINODE_ADMIN_URI", *words)


def test_uri_with_credentials_is_refused_without_echoing_them(run_cli: RunCli) -> None:
    result = run_cli("--uri", "http://admin:hunter2@node:1", "--api-key", "k", "ping")
    assert_failed(result, 2, "credentials")
    assert "hunter2" not in result.output


@pytest.mark.parametrize(
    ("option", "value"),
    [("--timeout", "soon"), ("--timeout", "0"), ("--timeout", "nan"), ("--retries", "0")],
)
def test_bad_numbers(node_cli: RunCli, quiet_node: Any, option: str, value: str) -> None:
    assert_failed(node_cli(option, value, "services", "list"), 2, option)
    assert quiet_node.received == []


@pytest.mark.parametrize(
    "args",
    [
        ("generations", "import", "churn", "{missing}/v9.zip"),
        ("model-cache", "import", "{missing}/model.zip"),
        ("code-envs", "import", "{missing}/env", "--language", "python"),
    ],
)
def test_missing_local_path_on_a_loopback_node(
    node_cli: RunCli, quiet_node: Any, tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = str(tmp_path / "missing")
    result = node_cli(*(a.format(missing=missing) for a in args))
    assert_failed(result, 2, "does not exist", missing)
    assert "own disk" in result.stderr
    assert quiet_node.received == []


@pytest.mark.parametrize("where", ["--api-key", "--service-key"])
def test_a_key_that_cannot_go_in_a_header(run_cli: RunCli, quiet_node: Any, where: str) -> None:
    key = "pasted‐key‐with‐typographic‐hyphens"  # U+2010 hyphens, as pasted from a document
    if where == "--api-key":
        result = run_cli("--uri", quiet_node.uri, "--api-key", key, "services", "list")
    else:
        args = ("predict", "churn", "score", "--feature", "a=1", "--service-key", key)
        result = run_cli("--uri", quiet_node.uri, *args)
    assert_failed(result, 3, "cannot be sent in an HTTP header", "position 7")
    assert where in result.stderr.splitlines()[1]
    assert key not in result.output and "key‐with" not in result.output
    assert quiet_node.received == []
