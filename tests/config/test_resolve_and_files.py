"""Settings resolution, config file reading and writing."""

from __future__ import annotations

import io
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apinode_admin_cli import config
from apinode_admin_cli.config import (
    PROFILE_KEYS,
    list_profiles,
    load_config,
    require_connection,
    resolve_settings,
    set_default_profile,
    set_value,
    unset_value,
    write_config,
)
from apinode_admin_cli.errors import ConfigError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")

# The settings whose precedence the generic tests check: a key file is read, and a data dir is
# looked at on disk (tests/datadir check those with real files).
GENERIC = [n for n in PROFILE_KEYS if not n.endswith("api_key_file") and n != "data_dir"]

# One valid value per setting and level, as each level spells it.
FLAG = {
    "dss_uri": "http://dss-flag:1",
    "dss_api_key": "dss-flag-key-01",
    "uri": "http://flag:1",
    "api_key": "flag-key-0001",
    "no_check_certificate": True,
    "ca_bundle": "/flag/ca.pem",
    "client_cert": "/flag/cert.pem",
    "client_key": "/flag/key.pem",
    "timeout": "11",
    "retries": "7",
    "output": "tsv",
}
ENV = {
    "dss_uri": "https://dss-env:2/dss",
    "dss_api_key": "dss-env-key-02",
    "uri": "https://env:2",
    "api_key": "env-key-0002",
    "no_check_certificate": "yes",
    "ca_bundle": "/env/ca.pem",
    "client_cert": "/env/cert.pem",
    "client_key": "/env/key.pem",
    "timeout": "22.5",
    "retries": "5",
    "output": "json",
}
CONF = {
    "dss_uri": "http://dss-conf:3",
    "dss_api_key": "dss-conf-key-03",
    "uri": "http://conf:3",
    "api_key": "conf-key-0003",
    "no_check_certificate": False,
    "ca_bundle": "/conf/ca.pem",
    "client_cert": "/conf/cert.pem",
    "client_key": "/conf/key.pem",
    "timeout": 33,
    "retries": 4,
    "output": "plain",
}
TYPED = {
    "flag": {**FLAG, "timeout": 11.0, "retries": 7},
    "env": {**ENV, "no_check_certificate": True, "timeout": 22.5, "retries": 5},
    "config": {**CONF, "timeout": 33.0},
}
DEFAULT = {"timeout": 60.0, "retries": 3, "no_check_certificate": False}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def base_env(home: Path) -> dict[str, str]:
    return {"HOME": str(home)}


def write_profile(path: Path, name: str = "default", **values: Any) -> None:
    data = load_config(path)
    data.setdefault("profiles", {})[name] = values
    write_config(path, data)


def resolve(flags: dict[str, Any], env: dict[str, str], **kw: Any) -> config.Settings:
    return resolve_settings(flags, env, **kw)


# -- precedence ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERIC)
@pytest.mark.parametrize("levels", [("flag", "env", "config"), ("env", "config"), ("config",), ()])
def test_highest_level_wins_and_is_recorded(
    tmp_path: Path, name: str, levels: tuple[str, ...]
) -> None:
    path = tmp_path / "config.toml"
    write_profile(path, **({name: CONF[name]} if "config" in levels else {}))
    flags = {"config": str(path), name: FLAG[name] if "flag" in levels else None}
    env = {"HOME": str(tmp_path)}
    if "env" in levels:
        env[config.BY_NAME[name].env] = ENV[name]
    s = resolve(flags, env)
    if not levels:
        assert s.values[name] == DEFAULT.get(name)
        assert s.sources[name] == ("default" if name in DEFAULT else "unset")
        return
    top = levels[0]
    assert s.values[name] == TYPED[top][name]
    expected_source = {
        "flag": f"flag {config.BY_NAME[name].option}",
        "env": f"env {config.BY_NAME[name].env}",
        "config": f"config {path} [profiles.default]",
    }[top]
    assert s.sources[name] == expected_source


LEVELS = ("flag", "env", "config")


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(GENERIC),
    supplied=st.sets(st.sampled_from(LEVELS)),
)
def test_property_highest_supplied_level_wins(
    tmp_path: Path, name: str, supplied: set[str]
) -> None:
    path = tmp_path / f"{name}-{'-'.join(sorted(supplied))}.toml"
    write_profile(path, **({name: CONF[name]} if "config" in supplied else {}))
    flags = {"config": str(path), name: FLAG[name] if "flag" in supplied else None}
    env = {"HOME": str(tmp_path)}
    if "env" in supplied:
        env[config.BY_NAME[name].env] = ENV[name]
    s = resolve(flags, env)
    winner = next((lv for lv in LEVELS if lv in supplied), None)
    if winner is None:
        assert s.values[name] == DEFAULT.get(name)
    else:
        assert s.values[name] == TYPED[winner][name]
        assert s.sources[name].startswith(winner if winner != "flag" else "flag --")


def test_typed_properties(tmp_path: Path) -> None:
    s = resolve({"timeout": "2.5", "retries": "9", "uri": "https://n:12000/"}, base_env(tmp_path))
    assert (s.uri, s.timeout, s.retries) == ("https://n:12000", 2.5, 9)
    assert s.no_check_certificate is False
    assert s.api_key is None and s.output is None and s.ca_bundle is None


def test_repr_masks_the_key(tmp_path: Path) -> None:
    s = resolve({"api_key": "verysecretkey-abcd"}, base_env(tmp_path))
    assert "verysecretkey" not in repr(s)
    assert "****abcd" in repr(s)


# -- profiles -----------------------------------------------------------------------------


@pytest.fixture
def two_profiles(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    write_profile(path, "prod", uri="https://prod:1", api_key="prod-key-1111")
    write_profile(path, "local", uri="http://127.0.0.1:12000", api_key="local-key-2222")
    return path


def test_profile_from_flag_env_and_default_profile(two_profiles: Path, tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "APINODE_ADMIN_CONFIG": str(two_profiles)}
    s = resolve({"profile": "prod"}, {**env, "APINODE_ADMIN_PROFILE": "local"})
    assert (s.profile, s.profile_source, s.uri) == ("prod", "flag --profile", "https://prod:1")
    s = resolve({}, {**env, "APINODE_ADMIN_PROFILE": "local"})
    assert (s.profile, s.profile_source) == ("local", "env APINODE_ADMIN_PROFILE")
    set_default_profile(two_profiles, "local")
    s = resolve({}, env)
    assert s.profile == "local" and "default_profile" in s.profile_source
    assert s.sources["uri"] == f"config {two_profiles} [profiles.local]"
    assert s.config_path == two_profiles and s.config_exists


def test_implicit_default_profile_may_be_missing(two_profiles: Path, tmp_path: Path) -> None:
    s = resolve({"config": str(two_profiles)}, base_env(tmp_path))
    assert (s.profile, s.profile_source, s.uri) == ("default", "default", None)


@pytest.mark.parametrize("how", ["flag", "env", "default_profile"])
def test_unknown_explicit_profile_lists_known_ones(
    two_profiles: Path, tmp_path: Path, how: str
) -> None:
    flags: dict[str, Any] = {"config": str(two_profiles)}
    env = base_env(tmp_path)
    if how == "flag":
        flags["profile"] = "staging"
    elif how == "env":
        env["APINODE_ADMIN_PROFILE"] = "staging"
    else:
        data = load_config(two_profiles)
        data["default_profile"] = "staging"
        write_config(two_profiles, data)
    with pytest.raises(ConfigError) as err:
        resolve(flags, env)
    assert "'staging'" in str(err.value) and "prod, local" in str(err.value)
    assert err.value.exit_code == 3


def test_default_config_path(tmp_path: Path) -> None:
    plain = Path("/h/.config/apinode-admin/config.toml")
    assert config.default_config_path({"HOME": "/h"}) == plain
    xdg = {"HOME": "/h", "XDG_CONFIG_HOME": "/x"}
    assert config.default_config_path(xdg) == Path("/x/apinode-admin/config.toml")
    relative = {"HOME": "/h", "XDG_CONFIG_HOME": "rel"}
    assert config.default_config_path(relative) == plain
    s = resolve({}, {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "x")})
    assert s.config_path == tmp_path / "x" / "apinode-admin" / "config.toml"
    assert not s.config_exists


# -- api key and key file -----------------------------------------------------------------


def test_key_file_flag_beats_env_key(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("  file-key-9999\n")
    key_file.chmod(0o600)
    env = {**base_env(tmp_path), "APINODE_ADMIN_API_KEY": "env-key-0002"}
    s = resolve({"api_key_file": str(key_file)}, env)
    assert s.api_key == "file-key-9999"
    assert s.sources["api_key"] == "flag --api-key-file"
    assert s.warnings == ()


def test_within_a_level_key_beats_key_file(tmp_path: Path) -> None:
    env = {
        **base_env(tmp_path),
        "APINODE_ADMIN_API_KEY": "env-key-0002",
        "APINODE_ADMIN_API_KEY_FILE": str(tmp_path / "absent"),
    }
    s = resolve({}, env)
    assert s.api_key == "env-key-0002" and s.sources["api_key"] == "env APINODE_ADMIN_API_KEY"


def test_key_file_from_stdin(tmp_path: Path) -> None:
    s = resolve({"api_key_file": "-"}, base_env(tmp_path), stdin=io.StringIO("\tstdin-key-7777\n"))
    assert s.api_key == "stdin-key-7777"


def test_key_file_tilde_and_config_relative(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "k").write_text("tilde-key-1\n")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "rel").write_text("relative-key-2\n")
    s = resolve({"api_key_file": "~/k"}, base_env(tmp_path))
    assert s.api_key == "tilde-key-1" and s.values["api_key_file"] == str(tmp_path / "k")
    path = tmp_path / "conf" / "config.toml"
    write_profile(path, api_key_file="rel", ca_bundle="~/ca.pem")
    s = resolve({"config": str(path)}, base_env(tmp_path))
    assert s.api_key == "relative-key-2"
    assert s.ca_bundle == str(tmp_path / "ca.pem")


@pytest.mark.parametrize("content", [None, "", "  \n"])
def test_unreadable_or_empty_key_file(tmp_path: Path, content: str | None) -> None:
    key_file = tmp_path / "key"
    if content is not None:
        key_file.write_text(content)
    with pytest.raises(ConfigError) as err:
        resolve({"api_key_file": str(key_file)}, base_env(tmp_path))
    assert str(key_file) in str(err.value) and err.value.exit_code == 3


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\xff" * (64 * 1024 + 1), "is larger than 64 KiB"),
        (b"\xff" * 16, "is not UTF-8 text"),
    ],
)
def test_oversized_or_binary_key_file(tmp_path: Path, content: bytes, problem: str) -> None:
    key_file = tmp_path / "key"
    key_file.write_bytes(content)
    with pytest.raises(ConfigError, match=problem):
        resolve({"api_key_file": str(key_file)}, base_env(tmp_path))


def test_empty_stdin_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="standard input is empty"):
        resolve({"api_key_file": "-"}, base_env(tmp_path), stdin=io.StringIO(""))


# -- require_connection -------------------------------------------------------------------


def test_missing_uri_names_every_source(tmp_path: Path) -> None:
    s = resolve({"api_key": "k" * 12}, base_env(tmp_path))
    with pytest.raises(ConfigError) as err:
        require_connection(s)
    msg = str(err.value)
    assert err.value.exit_code == 3
    for part in ("--uri", "APINODE_ADMIN_URI", "`uri`", "profile 'default'", "config.toml"):
        assert part in msg


def test_missing_key_names_every_source(tmp_path: Path) -> None:
    s = resolve({"uri": "http://h:1"}, base_env(tmp_path))
    with pytest.raises(ConfigError) as err:
        require_connection(s)
    msg = str(err.value)
    for part in ("--api-key", "--api-key-file", "APINODE_ADMIN_API_KEY", "`api_key`"):
        assert part in msg
    assert require_connection(resolve({"uri": "http://h:1", "api_key": "abc"}, {})) == (
        "http://h:1",
        "abc",
    )


def test_missing_uri_hints_at_other_profiles(two_profiles: Path, tmp_path: Path) -> None:
    s = resolve({"config": str(two_profiles)}, base_env(tmp_path))
    with pytest.raises(ConfigError) as err:
        require_connection(s)
    assert err.value.hint is not None and "prod, local" in err.value.hint


KEY_LEVELS = st.lists(st.sampled_from(["key", "file", "both", None]), min_size=3, max_size=3)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(KEY_LEVELS)
def test_property_key_and_key_file_compete_as_one(tmp_path: Path, plan: list[str | None]) -> None:
    flags: dict[str, Any] = {}
    env = {"HOME": str(tmp_path)}
    table: dict[str, Any] = {}
    for level, (given_, target) in enumerate(zip(plan, (flags, env, table))):
        key_name = "APINODE_ADMIN_API_KEY" if target is env else "api_key"
        file_name = key_name + ("_FILE" if target is env else "_file")
        if given_ in ("key", "both"):
            target[key_name] = f"direct-key-{level}"
        if given_ in ("file", "both"):
            (tmp_path / f"k{level}").write_text(f"file-key-{level}\n")
            (tmp_path / f"k{level}").chmod(0o600)
            target[file_name] = str(tmp_path / f"k{level}")
    path = tmp_path / "config.toml"
    write_config(path, {"profiles": {"default": table}})
    s = resolve({**flags, "config": str(path)}, env)
    top = next(((lv, g) for lv, g in enumerate(plan) if g), None)
    if top is None:
        assert s.api_key is None and s.sources["api_key"] == "unset"
    else:
        level, given_ = top
        assert s.api_key == (f"direct-key-{level}" if given_ != "file" else f"file-key-{level}")
        assert s.sources["api_key"].startswith(("flag", "env", "config")[level])


# -- validation ---------------------------------------------------------------------------


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[profiles.prod]\nuri = "http://x"\ntimeout = = 3\n')
    with pytest.raises(ConfigError) as err:
        resolve({"config": str(path)}, base_env(tmp_path))
    assert str(path) in str(err.value) and "line 3" in str(err.value)
    assert err.value.exit_code == 3


@pytest.mark.parametrize(
    "body, words",
    [
        ('[profiles.default]\ntimeout = "30"', ["`timeout`", "a number", "a string"]),
        ('[profiles.default]\nno_check_certificate = "yes"', ["a boolean"]),
        ("[profiles.default]\nuri = 5", ["`uri`", "a string"]),
        ("[profiles.default]\nretries = 2.5", ["an integer"]),
        ("[profiles.default]\nretries = 0", ["from 1 to 100"]),
        ("[profiles.default]\nretries = 101", ["from 1 to 100"]),
        ("[profiles.default]\ntimeout = -1", ["above 0"]),
        ("[profiles.default]\ntimeout = 1e10", ["at most 86400"]),
        ('[profiles.default]\noutput = "fancy"', ["table, plain, tsv, json"]),
        ("[profiles.default]\nuri = [1]", ["unsupported type"]),
        ("profiles = 3", ["`profiles`"]),
        ("default_profile = 3", ["`default_profile`"]),
    ],
)
def test_wrong_types_in_config(tmp_path: Path, body: str, words: list[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(body + "\n")
    with pytest.raises(ConfigError) as err:
        resolve({"config": str(path)}, base_env(tmp_path))
    for word in [str(path), *words]:
        assert word in str(err.value)


@pytest.mark.parametrize(
    "uri, problem",
    [
        ("node:12000", "http:// or https://"),
        ("ftp://node:12000", "http:// or https://"),
        ("http://node:12000/dss", "/admin/api"),
        ("http://node:12000/?a=1", "query"),
        ("http://:12000", "no host"),
        ("http://node:port", "invalid port"),
        ("http://u:pw@node:1", "credentials"),
    ],
)
def test_bad_uris(tmp_path: Path, uri: str, problem: str) -> None:
    with pytest.raises(UsageError, match=problem):
        resolve({"uri": uri}, base_env(tmp_path))
    with pytest.raises(ConfigError, match="APINODE_ADMIN_URI") as err:
        resolve({}, {**base_env(tmp_path), "APINODE_ADMIN_URI": uri})
    assert "pw" not in str(err.value)


@pytest.mark.parametrize("uri", ["http://n:1/", "HTTPS://n", "http://[::1]:12000", "http://n:1"])
def test_good_uris_normalised(uri: str) -> None:
    assert not config.convert("uri", uri).endswith("/")


@pytest.mark.parametrize(
    "word, value",
    [("1", True), ("TRUE", True), ("yes", True), ("on", True)]
    + [("0", False), ("false", False), ("No", False), ("off", False), ("", False)],
)
def test_env_booleans(tmp_path: Path, word: str, value: bool) -> None:
    env = {**base_env(tmp_path), "APINODE_ADMIN_NO_CHECK_CERTIFICATE": word}
    s = resolve({}, env)
    assert s.no_check_certificate is value
    assert s.sources["no_check_certificate"] == "env APINODE_ADMIN_NO_CHECK_CERTIFICATE"


def test_env_bad_values_are_config_errors(tmp_path: Path) -> None:
    for name, word in [("NO_CHECK_CERTIFICATE", "maybe"), ("TIMEOUT", "soon"), ("RETRIES", "0")]:
        with pytest.raises(ConfigError, match=f"APINODE_ADMIN_{name}"):
            resolve({}, {**base_env(tmp_path), f"APINODE_ADMIN_{name}": word})


def test_flag_bad_values_are_usage_errors(tmp_path: Path) -> None:
    for name, word in [("timeout", "0"), ("retries", "x"), ("output", "fancy")]:
        with pytest.raises(UsageError, match=config.BY_NAME[name].option):
            resolve({name: word}, base_env(tmp_path))


def test_empty_env_string_counts_as_unset(tmp_path: Path) -> None:
    s = resolve({}, {**base_env(tmp_path), "APINODE_ADMIN_URI": "", "APINODE_ADMIN_OUTPUT": ""})
    assert s.sources["uri"] == "unset" and s.output is None


def test_unknown_keys_warn(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('colour = "red"\n[profiles.default]\nurl = "http://x"\n')
    s = resolve({"config": str(path)}, base_env(tmp_path))
    assert any("`url`" in w for w in s.warnings)
    assert any("`colour`" in w for w in s.warnings)


# -- permissions --------------------------------------------------------------------------


@posix_only
def test_loose_config_holding_a_key_warns(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_profile(path, api_key="conf-key-0003")
    assert resolve({"config": str(path)}, base_env(tmp_path)).warnings == ()
    path.chmod(0o644)
    (warning,) = resolve({"config": str(path)}, base_env(tmp_path)).warnings
    assert "0644" in warning and f"chmod 600 {path}" in warning


@posix_only
def test_loose_config_without_key_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_profile(path, uri="http://x")
    path.chmod(0o644)
    assert resolve({"config": str(path)}, base_env(tmp_path)).warnings == ()


@posix_only
def test_loose_key_file_warns(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("file-key-9999")
    key_file.chmod(0o640)
    (warning,) = resolve({"api_key_file": str(key_file)}, base_env(tmp_path)).warnings
    assert "API key file" in warning and "0640" in warning


# -- writing ------------------------------------------------------------------------------


@posix_only
def test_write_config_mode_and_atomicity(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "config.toml"
    old_umask = os.umask(0o022)
    try:
        write_config(path, {"profiles": {"a": {"uri": "http://x"}}})
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    write_config(path, {"profiles": {"b": {"retries": 2}}})
    assert os.listdir(path.parent) == ["config.toml"]
    assert load_config(path) == {"profiles": {"b": {"retries": 2}}}


def test_write_config_failure_leaves_no_temp_file(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "config.toml"

    def boom(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ConfigError, match="No space left"):
        write_config(path, {"default_profile": "x"})
    assert os.listdir(tmp_path) == []


def test_set_unset_list_profiles(tmp_path: Path) -> None:
    path = tmp_path / "c" / "config.toml"
    assert list_profiles(path) == []
    set_value(path, "prod", "uri", "https://prod:12000/")
    set_value(path, "prod", "timeout", "30")
    set_value(path, "prod", "no_check_certificate", "yes")
    set_value(path, "local", "retries", "2")
    set_value(path, "local", "default_profile", "prod")
    assert list_profiles(path) == ["prod", "local"]
    assert load_config(path) == {
        "profiles": {
            "prod": {"uri": "https://prod:12000", "timeout": 30.0, "no_check_certificate": True},
            "local": {"retries": 2},
        },
        "default_profile": "prod",
    }
    assert unset_value(path, "prod", "timeout") is True
    assert unset_value(path, "prod", "timeout") is False
    assert unset_value(path, "nope", "uri") is False
    assert "timeout" not in load_config(path)["profiles"]["prod"]
    with pytest.raises(UsageError, match="unknown config key"):
        set_value(path, "prod", "url", "x")
    with pytest.raises(UsageError, match="`retries`"):
        set_value(path, "prod", "retries", "many")
    with pytest.raises(UsageError, match="known profiles: prod, local"):
        set_default_profile(path, "staging")


text_values = st.text(max_size=40)
scalars = st.one_of(
    text_values,
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
)
names = st.text(min_size=1, max_size=12)
documents = st.fixed_dictionaries(
    {"profiles": st.dictionaries(names, st.dictionaries(names, scalars, max_size=4), max_size=3)},
    optional={"default_profile": text_values},
)


@given(documents)
def test_toml_writer_round_trips(data: dict[str, Any]) -> None:
    assert tomllib.loads(config.dumps_toml(data)) == data


def test_toml_writer_escapes() -> None:
    data = {"profiles": {'we"ird.name': {"api_key": 'a"b\\c\n\t\x00\x7fé✓'}}}
    text = config.dumps_toml(data)
    assert '[profiles."we\\"ird.name"]' in text
    assert tomllib.loads(text) == data
