"""The DSS settings: declared once, resolved like the node's, the key as secret as the admin key."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import RunCli

from apinode_admin_cli.config import resolve_settings

KEY = "DSS-SECRET-KEY-424242"


def test_key_file_is_read_and_competes_with_the_key(tmp_path: Path) -> None:
    key_file = tmp_path / "dss.key"
    key_file.write_text(KEY + "\n")
    key_file.chmod(0o600)
    env = {"HOME": str(tmp_path), "APINODE_ADMIN_DSS_API_KEY": "from-env-0000"}
    settings = resolve_settings({"dss_api_key_file": str(key_file)}, env)
    assert settings.dss_api_key == KEY
    assert settings.sources["dss_api_key"] == "flag --dss-api-key-file"
    # A lower level's key file loses to a higher level's key, as for the admin key.
    settings = resolve_settings({}, {**env, "APINODE_ADMIN_DSS_API_KEY_FILE": str(key_file)})
    assert settings.dss_api_key == "from-env-0000"


def test_dss_uri_may_carry_a_path_but_not_credentials(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    settings = resolve_settings({"dss_uri": "HTTPS://dss.example:11200/dss/"}, env)
    assert settings.dss_uri == "https://dss.example:11200/dss"


def test_config_show_masks_the_dss_key(run_cli: RunCli) -> None:
    env = {"APINODE_ADMIN_DSS_API_KEY": KEY, "APINODE_ADMIN_DSS_URI": "http://dss:11200"}
    result = run_cli("config", "show", "-o", "json", env=env)
    assert result.exit_code == 0, result.stderr
    assert KEY not in result.stdout and KEY not in result.stderr
    shown = json.loads(result.stdout)
    assert shown["dss_api_key"]["value"] == "****4242"
    assert shown["dss_uri"]["value"] == "http://dss:11200"


def test_bad_dss_uri_is_a_usage_error_with_one_line(run_cli: RunCli) -> None:
    result = run_cli("--dss-uri", "http://me:pw@dss:1", "config", "show")
    assert result.exit_code == 2
    assert "pw" not in result.stderr and "credentials" in result.stderr
    assert result.stdout == ""
