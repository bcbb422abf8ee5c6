"""Property-based tests: the mapping parser and the settings resolver, over generated inputs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from apinode_admin_cli.config import (
    BY_NAME,
    OUTPUT_FORMATS,
    convert,
    dumps_toml,
    resolve_settings,
)
from apinode_admin_cli.errors import ApinodeAdminError, UsageError
from apinode_admin_cli.mapping import mapping_from_entries, parse_mapping_text, validate_mapping

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- mappings ---------------------------------------------------------------------------------

# JSON has no NaN nor infinities: the parser refuses them (exit 2).
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
generations = st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=8, unique=True)


@st.composite
def valid_mappings(draw: Any) -> dict[str, Any]:
    names = draw(generations)
    weights = draw(st.lists(st.integers(0, 1000), min_size=len(names), max_size=len(names)))
    assume(sum(weights) > 0)
    total = sum(weights)
    entries = []
    for name, weight in zip(names, weights):
        extra = draw(st.dictionaries(st.text().filter(lambda k: k not in ("generation", "proba")),
                                     json_values, max_size=2))  # fmt: skip
        entries.append({**extra, "generation": name, "proba": weight / total})
    top = draw(st.dictionaries(st.text().filter(lambda k: k != "entries"), json_values, max_size=2))
    return {**top, "entries": entries}


@FAST
@given(valid_mappings())
def test_valid_mappings_are_accepted_unchanged(mapping: dict[str, Any]) -> None:
    text = json.dumps(mapping)
    assert parse_mapping_text(text) == mapping
    assert json.dumps(parse_mapping_text(text)) == text  # key order and unknown fields kept


@FAST
@given(valid_mappings())
def test_entries_spell_the_same_mapping(mapping: dict[str, Any]) -> None:
    pairs = [f"{e['generation']}={e['proba']!r}" for e in mapping["entries"]]
    built = mapping_from_entries(pairs)
    expected = [{"generation": e["generation"], "proba": e["proba"]} for e in mapping["entries"]]
    assert built == {"entries": expected}


@FAST
@given(valid_mappings(), st.floats(0.01, 0.999) | st.floats(1.001, 50))
def test_a_wrong_sum_is_always_rejected(mapping: dict[str, Any], factor: float) -> None:
    for entry in mapping["entries"]:
        entry["proba"] *= factor
    assume(all(0 <= e["proba"] <= 1 for e in mapping["entries"]))
    with pytest.raises(UsageError, match="sum to"):
        parse_mapping_text(json.dumps(mapping))


@FAST
@given(
    valid_mappings(),
    st.data(),
    st.floats(max_value=-1e-9, allow_nan=False) | st.floats(min_value=1.000001, allow_nan=False),
)
def test_a_proba_out_of_range_is_always_rejected(
    mapping: dict[str, Any], data: Any, bad: float
) -> None:
    index = data.draw(st.integers(0, len(mapping["entries"]) - 1))
    mapping["entries"][index]["proba"] = bad
    with pytest.raises(UsageError):
        validate_mapping(mapping)


@FAST
@given(valid_mappings(), st.data())
def test_a_duplicate_generation_is_always_rejected(mapping: dict[str, Any], data: Any) -> None:
    entries = mapping["entries"]
    copy = dict(data.draw(st.sampled_from(entries)))
    copy["proba"] = 0.0  # the sum stays 1: only the duplicate is wrong
    entries.insert(data.draw(st.integers(0, len(entries))), copy)
    with pytest.raises(UsageError, match="twice"):
        parse_mapping_text(json.dumps(mapping))


@FAST
@given(json_values)
def test_any_json_is_a_mapping_or_a_usage_error(value: Any) -> None:
    try:
        result = parse_mapping_text(json.dumps(value))
    except UsageError:
        return
    assert result == value


@FAST
@given(st.text())
def test_any_text_is_a_mapping_or_a_usage_error(text: str) -> None:
    try:
        parse_mapping_text(text)
    except UsageError as exc:
        assert "\n" not in exc.message.strip() or "JSON" in exc.message


@FAST
@given(st.lists(st.text(max_size=12), min_size=1, max_size=5))
def test_any_entries_are_a_mapping_or_a_usage_error(entries: list[str]) -> None:
    try:
        mapping = mapping_from_entries(entries)
    except UsageError:
        return
    assert abs(sum(e["proba"] for e in mapping["entries"]) - 1) <= 1e-6


# -- settings ---------------------------------------------------------------------------------

LEVELS = ("flag", "env", "config")


def _uri() -> Any:
    hosts = st.sampled_from(["node", "apinode-1.example.com", "127.0.0.1", "[::1]"])
    return st.builds(
        lambda scheme, host, port, slash: f"{scheme}://{host}:{port}{slash}",
        st.sampled_from(["http", "https"]),
        hosts,
        st.integers(1, 65535),
        st.sampled_from(["", "/"]),
    )


# For each setting: how a level spells a value (flags and env are text, TOML is typed).
SPELLINGS: dict[str, Any] = {
    "uri": _uri().map(lambda u: {"flag": u, "env": u, "config": u}),
    "timeout": st.floats(0.001, 86400).map(
        lambda t: {"flag": repr(t), "env": repr(t), "config": t}
    ),
    "retries": st.integers(1, 100).map(lambda n: {"flag": str(n), "env": str(n), "config": n}),
    "output": st.sampled_from(OUTPUT_FORMATS).map(lambda o: {"flag": o, "env": o, "config": o}),
    "ca_bundle": st.integers(0, 99).map(
        lambda n: {
            "flag": f"/etc/ssl/b{n}.pem",
            "env": f"/etc/ssl/b{n}.pem",
            "config": f"/etc/ssl/b{n}.pem",
        }  # fmt: skip
    ),
    "no_check_certificate": st.booleans().map(
        lambda b: {"flag": True, "env": "yes" if b else "", "config": b}
    ),
}


@st.composite
def layered_settings(draw: Any) -> dict[str, dict[str, Any]]:
    """For each setting, a subset of levels that give it, with the spelling of each."""
    layers: dict[str, dict[str, Any]] = {}
    for name, spelling in SPELLINGS.items():
        present = draw(st.sets(st.sampled_from(LEVELS)))
        layers[name] = {level: draw(spelling)[level] for level in present}
    return layers


def _resolve(flags: dict[str, Any], env: dict[str, str], config: Optional[dict[str, Any]]) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        if config is not None:
            path.write_text(dumps_toml(config), encoding="utf-8")
            path.chmod(0o600)
        # No config: a named file that is missing (allowed here, as for `config` commands).
        flags = {**flags, "config": str(path)}
        return resolve_settings(flags, env, missing_ok=config is None), str(path)


@FAST
@given(layered_settings(), st.sampled_from(["default", "prod", "a b"]))
def test_the_highest_level_wins_and_is_named(layers: dict[str, Any], profile: str) -> None:
    flags = {name: spelled["flag"] for name, spelled in layers.items() if "flag" in spelled}
    env = {
        BY_NAME[name].env: spelled["env"] for name, spelled in layers.items() if "env" in spelled
    }
    table = {name: spelled["config"] for name, spelled in layers.items() if "config" in spelled}
    config = {"default_profile": profile, "profiles": {profile: table, "other": {"retries": 7}}}
    resolved, path = _resolve(flags, env, config)
    assert resolved.profile == profile
    for name, spelled in layers.items():
        winner = next((level for level in LEVELS if level in spelled), None)
        if winner is None:
            assert resolved.sources[name] in ("default", "unset")
            continue
        assert resolved.values[name] == convert(name, spelled[winner])
        source = resolved.sources[name]
        if winner == "flag":
            assert source == f"flag {BY_NAME[name].option}"
        elif winner == "env":
            assert source == f"env {BY_NAME[name].env}"
        else:
            assert source == f"config {path} [profiles.{profile}]"


@FAST
@given(
    st.sets(st.sampled_from(LEVELS)),
    st.sets(st.sampled_from(LEVELS)),
)
def test_key_and_key_file_compete_as_one_setting(keys: set[str], files: set[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        secrets = {}
        for level in LEVELS:
            secrets[level] = (f"key-{level}", f"file-key-{level}")
            key_file = Path(folder) / f"{level}.key"
            key_file.write_text(secrets[level][1] + "\n")
            key_file.chmod(0o600)
        flags: dict[str, Any] = {}
        env: dict[str, str] = {}
        table: dict[str, Any] = {}
        spots = {"flag": flags, "env": env, "config": table}
        for level in keys:
            spots[level]["APINODE_ADMIN_API_KEY" if level == "env" else "api_key"] = secrets[level][
                0
            ]
        for level in files:
            name = "APINODE_ADMIN_API_KEY_FILE" if level == "env" else "api_key_file"
            spots[level][name] = str(Path(folder) / f"{level}.key")
        path = Path(folder) / "config.toml"
        path.write_text(dumps_toml({"profiles": {"default": table}}))
        path.chmod(0o600)
        resolved = resolve_settings({**flags, "config": str(path)}, env)
    winner = next((level for level in LEVELS if level in keys | files), None)
    if winner is None:
        assert resolved.api_key is None and resolved.sources["api_key"] == "unset"
    else:
        # At one level the key itself beats the key file.
        expected = secrets[winner][0] if winner in keys else secrets[winner][1]
        assert resolved.api_key == expected
        assert resolved.sources["api_key"].startswith(winner)
    assert "key-" not in repr(resolved)


@FAST
@given(
    st.sampled_from(["p1", "p2", None]),
    st.sampled_from(["p1", "p2", None]),
    st.sampled_from(["p1", "p2", None]),
)
def test_profile_choice_follows_the_same_order(
    flag: Optional[str], env: Optional[str], default: Optional[str]
) -> None:
    config: dict[str, Any] = {"profiles": {"p1": {"retries": 1}, "p2": {"retries": 2}}}
    if default:
        config["default_profile"] = default
    flags = {"profile": flag} if flag else {}
    environ = {"APINODE_ADMIN_PROFILE": env} if env else {}
    resolved, _ = _resolve(flags, environ, config)
    expected = flag or env or default or "default"
    assert resolved.profile == expected
    assert resolved.retries == {"p1": 1, "p2": 2}.get(expected, 3)


@FAST
@given(st.text(max_size=30), st.sampled_from(["timeout", "retries", "uri", "output"]))
def test_any_text_setting_is_a_value_or_a_clean_error(text: str, name: str) -> None:
    assume("\x00" not in text)
    try:
        resolved, _ = _resolve({name: text}, {}, None)
    except UsageError as exc:
        assert BY_NAME[name].option in exc.message
        return
    except ApinodeAdminError as exc:  # pragma: no cover - shown when it happens
        raise AssertionError(f"{type(exc).__name__}: {exc}")
    assert resolved.sources[name] == f"flag {BY_NAME[name].option}"
