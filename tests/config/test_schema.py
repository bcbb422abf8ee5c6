"""Every declared setting resolves from each level it declares, and shows wherever it should."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check

from apinode_admin_cli.config import SETTINGS, Setting, dumps_toml, resolve_settings
from apinode_admin_cli.config.connect import transport_options

ROOT = Path(__file__).resolve().parents[2]

# One valid value per kind, as a command line or a variable spells it, then as TOML types it.
TEXT = {
    "text": "alpha",
    "secret": "s3cret-value-1234",
    "path": "/etc/ssl/x.pem",
    "uri": "http://node.example:12000",
    "dss_uri": "https://dss.example:11200/dss",
    "bool": "true",
    "seconds": "12.5",
    "count": "7",
    "choice": "tsv",
}
TYPED = {"bool": True, "seconds": 12.5, "count": 7}
EXPECTED = {"bool": True, "seconds": 12.5, "count": 7}

# `config` and `profile` choose the file and the table: they are resolved before the others.
ORDINARY = [s for s in SETTINGS if s.name not in ("config", "profile")]


@pytest.fixture(autouse=True)
def _a_real_path() -> Any:
    """Path settings point at a file that exists (the key file is read), holding a key."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as handle:
        handle.write("k3y-from-a-file\n")
    Path(handle.name).chmod(0o600)
    TEXT["path"] = handle.name
    yield
    Path(handle.name).unlink()


def _expected(decl: Setting) -> Any:
    return EXPECTED.get(decl.kind, TEXT[decl.kind])


def _config(tmp_path: Path, table: dict[str, Any]) -> str:
    path = tmp_path / "config.toml"
    path.write_text(dumps_toml({"profiles": {"default": table}}), encoding="utf-8")
    path.chmod(0o600)
    return str(path)


# Per-command options (-o, --service-key) reach the resolver as flags too.
@pytest.mark.parametrize("decl", ORDINARY, ids=lambda s: s.name)
def test_flag_level(decl: Setting, tmp_path: Path) -> None:
    flags = {decl.name: True if decl.kind == "bool" else TEXT[decl.kind]}
    settings = resolve_settings({**flags, "config": _config(tmp_path, {})}, env={})
    assert settings.values[decl.name] == _expected(decl)
    assert settings.sources[decl.name] == f"flag {decl.option}"


@pytest.mark.parametrize("decl", [s for s in ORDINARY if s.env], ids=lambda s: s.name)
def test_environment_level(decl: Setting, tmp_path: Path) -> None:
    assert decl.env is not None
    env = {decl.env: TEXT[decl.kind]}
    settings = resolve_settings({"config": _config(tmp_path, {})}, env=env)
    assert settings.values[decl.name] == _expected(decl)
    assert settings.sources[decl.name] == f"env {decl.env}"


@pytest.mark.parametrize("decl", [s for s in ORDINARY if s.in_profile], ids=lambda s: s.name)
def test_profile_level(decl: Setting, tmp_path: Path) -> None:
    value = TYPED.get(decl.kind, TEXT[decl.kind])
    path = _config(tmp_path, {decl.name: value})
    settings = resolve_settings({"config": path}, env={})
    assert settings.values[decl.name] == _expected(decl)
    assert settings.sources[decl.name] == f"config {path} [profiles.default]"


def test_levels_not_declared_are_not_read(tmp_path: Path) -> None:
    for decl in ORDINARY:
        if not decl.in_profile:
            path = _config(tmp_path, {decl.name: TYPED.get(decl.kind, TEXT[decl.kind])})
            settings = resolve_settings({"config": path}, env={})
            assert settings.sources[decl.name] in ("default", "unset"), decl.name
            assert any(decl.name in w for w in settings.warnings), decl.name


def test_transport_options_come_from_the_declarations() -> None:
    values = {"timeout": 5.0, "retries": 2, "ca_bundle": "/ca", "no_check_certificate": True}
    values.update(client_cert="/c", client_key="/k")
    options = transport_options(values)
    fed = {s.transport for s in SETTINGS if s.transport}
    assert set(options) == fed
    assert options["client_certificate"] == ("/c", "/k")
    assert options["timeout"] == 5.0 and options["retries"] == 2


def test_every_global_setting_is_in_the_root_help(run_cli: RunCli) -> None:
    result = run_cli("--help")
    check(result)
    text = " ".join(result.stdout.split())  # help lines wrap anywhere
    for decl in SETTINGS:
        if decl.flag:
            assert decl.option in text, decl.name
            if decl.env:
                assert f"[env var: {decl.env}]" in text, decl.name


def test_every_setting_is_in_config_show(run_cli: RunCli) -> None:
    result = run_cli("config", "show", "-o", "json")
    check(result)
    shown = json.loads(result.stdout)
    assert list(shown) == [s.name for s in SETTINGS]


def test_config_show_masks_every_secret(run_cli: RunCli) -> None:
    secret = "do-not-show-me-4321"
    env = {s.env: secret for s in SETTINGS if s.secret and s.env}
    assert env, "the schema declares secrets"
    result = run_cli("config", "show", "-o", "json", env=env)
    check(result)
    assert secret not in result.stdout and secret not in result.stderr
    shown = json.loads(result.stdout)
    for decl in SETTINGS:
        if decl.secret and decl.env:
            assert shown[decl.name]["value"].endswith("4321")


def test_every_setting_is_in_the_docs() -> None:
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    man = (ROOT / "apinode_admin_cli" / "data" / "apinode-admin.1").read_text(encoding="utf-8")
    table = page[page.index("<!-- BEGIN SETTINGS TABLE -->") :]
    table = table[: table.index("<!-- END SETTINGS TABLE -->")]
    for decl in SETTINGS:
        assert f"`{decl.option}" in table, decl.name
        if decl.env:
            assert f"`{decl.env}`" in table, decl.name
            assert decl.env.replace("_", "_") in man.replace("\\", ""), decl.name
