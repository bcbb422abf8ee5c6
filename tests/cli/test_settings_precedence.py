"""Flag > environment > config profile > default, seen through real commands and `config show`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from support.cli import RunCli, check, closed_port_uri


def write_config(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


@pytest.fixture
def dead_uri() -> str:
    return closed_port_uri()


@pytest.fixture
def config(tmp_path: Path, emulator: Any, dead_uri: str) -> Path:
    """Profiles `good` (the emulator), `dead` (nothing listens) and `badkey` (wrong key)."""
    return write_config(
        tmp_path / "config.toml",
        f"""default_profile = "dead"

[profiles.good]
uri = "{emulator.uri}"
api_key = "{emulator.admin_key}"
output = "json"

[profiles.dead]
uri = "{dead_uri}"
api_key = "{emulator.admin_key}"
retries = 1

[profiles.badkey]
uri = "{emulator.uri}"
api_key = "not-the-key"
""",
    )


@pytest.fixture
def run(run_cli: RunCli, config: Path) -> RunCli:
    """Run with the config file of the test and nothing else."""

    def invoke(*args: str, input: Any = None, env: Any = None) -> Result:
        return run_cli(*args, input=input, env={"APINODE_ADMIN_CONFIG": str(config), **(env or {})})

    return invoke


def sources(run: RunCli, *args: str, env: Any = None) -> dict[str, dict[str, Any]]:
    result = run(*args, "config", "show", "-o", "json", env=env)
    check(result)
    shown: dict[str, dict[str, Any]] = json.loads(result.stdout)
    return shown


# -- which profile ----------------------------------------------------------------------------


def test_default_profile_from_the_file(run: RunCli, config: Path, dead_uri: str) -> None:
    shown = sources(run)
    assert shown["profile"] == {"value": "dead", "source": f"config {config} default_profile"}
    assert shown["uri"]["value"] == dead_uri
    check(run("services", "list"), 7)


def test_env_profile_beats_default_profile(run: RunCli) -> None:
    env = {"APINODE_ADMIN_PROFILE": "good"}
    assert sources(run, env=env)["profile"] == {
        "value": "good",
        "source": "env APINODE_ADMIN_PROFILE",
    }
    result = run("services", "list", env=env)
    check(result)
    assert result.stdout == "[]\n"  # the profile's `output = "json"`


def test_flag_profile_beats_env_profile(run: RunCli) -> None:
    env = {"APINODE_ADMIN_PROFILE": "dead"}
    assert sources(run, "--profile", "good", env=env)["profile"]["source"] == "flag --profile"
    check(run("--profile", "good", "services", "list", env=env))
    check(run("services", "list", "--profile", "badkey", env=env), 4)


# -- uri --------------------------------------------------------------------------------------


def test_env_uri_beats_the_profile(run: RunCli, emulator: Any) -> None:
    env = {"APINODE_ADMIN_URI": emulator.uri}
    shown = sources(run, env=env)
    assert shown["uri"] == {"value": emulator.uri, "source": "env APINODE_ADMIN_URI"}
    check(run("services", "list", env=env))


def test_flag_uri_beats_env(run: RunCli, emulator: Any, dead_uri: str) -> None:
    env = {"APINODE_ADMIN_URI": dead_uri}
    assert sources(run, "--uri", emulator.uri, env=env)["uri"]["source"] == "flag --uri"
    check(run("--uri", emulator.uri, "services", "list", env=env))
    check(run("services", "list", env=env), 7)


def test_no_uri_anywhere_is_exit_3(run_cli: RunCli) -> None:
    assert json.loads(run_cli("config", "show", "-o", "json").stdout)["uri"] == {
        "value": None,
        "source": "unset",
    }
    check(run_cli("services", "list"), 3)


# -- api key and key file ---------------------------------------------------------------------


def test_env_key_beats_the_profile_key(run: RunCli, emulator: Any) -> None:
    env = {"APINODE_ADMIN_PROFILE": "badkey"}
    check(run("services", "list", env=env), 4)
    env["APINODE_ADMIN_API_KEY"] = emulator.admin_key
    assert sources(run, env=env)["api_key"]["source"] == "env APINODE_ADMIN_API_KEY"
    check(run("services", "list", env=env))


def test_flag_key_beats_env_key(run: RunCli, emulator: Any) -> None:
    env = {"APINODE_ADMIN_PROFILE": "good", "APINODE_ADMIN_API_KEY": "wrong"}
    check(run("services", "list", env=env), 4)
    check(run("--api-key", emulator.admin_key, "services", "list", env=env))


def test_key_file_flag_beats_env_key(run: RunCli, emulator: Any, tmp_path: Path) -> None:
    key_file = write_config(tmp_path / "key", emulator.admin_key + "\n")
    env = {"APINODE_ADMIN_PROFILE": "good", "APINODE_ADMIN_API_KEY": "wrong"}
    shown = sources(run, "--api-key-file", str(key_file), env=env)
    assert shown["api_key"]["source"] == "flag --api-key-file"
    check(run("--api-key-file", str(key_file), "services", "list", env=env))


def test_env_key_file_beats_profile_key(run: RunCli, emulator: Any, tmp_path: Path) -> None:
    key_file = write_config(tmp_path / "key", emulator.admin_key)
    env = {"APINODE_ADMIN_PROFILE": "badkey", "APINODE_ADMIN_API_KEY_FILE": str(key_file)}
    assert sources(run, env=env)["api_key"]["source"] == "env APINODE_ADMIN_API_KEY_FILE"
    check(run("services", "list", env=env))


def test_profile_key_file_relative_to_the_config(
    run_cli: RunCli, emulator: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    write_config(folder / "prod.key", emulator.admin_key)
    config = write_config(
        folder / "config.toml",
        f'[profiles.default]\nuri = "{emulator.uri}"\napi_key_file = "prod.key"\n',
    )
    env = {"APINODE_ADMIN_CONFIG": str(config)}
    shown = json.loads(run_cli("config", "show", "-o", "json", env=env).stdout)
    assert shown["api_key_file"]["value"] == str(folder / "prod.key")
    result = run_cli("services", "list", env=env)
    check(result)
    assert result.stderr == ""


def test_key_file_from_stdin(run_cli: RunCli, emulator: Any) -> None:
    result = run_cli(
        "--uri",
        emulator.uri,
        "--api-key-file",
        "-",
        "services",
        "list",
        "-o",
        "json",
        input=emulator.admin_key + "\n",
    )
    check(result)
    assert result.stdout == "[]\n"


# -- timeout, retries, output -----------------------------------------------------------------


def test_retries_flag_env_profile_default(run: RunCli, emulator: Any) -> None:
    def attempts(*args: str, env: dict[str, str]) -> int:
        emulator.clear_received()
        emulator.clear_faults()
        emulator.add_fault(path="/admin/api/services", status=503, retryAfter=0, count=9)
        check(run(*args, "services", "list", env=env), 7)
        return len([r for r in emulator.received if r["path"] == "/admin/api/services"])

    good = {"APINODE_ADMIN_PROFILE": "good"}
    assert sources(run, env=good)["retries"] == {"value": 3, "source": "default"}
    assert attempts(env=good) == 3
    env = {**good, "APINODE_ADMIN_RETRIES": "2"}
    assert attempts(env=env) == 2
    assert attempts("--retries", "1", env=env) == 1


def test_retries_from_the_profile(run: RunCli, config: Path) -> None:
    shown = sources(run)
    assert shown["retries"] == {"value": 1, "source": f"config {config} [profiles.dead]"}


def test_timeout_flag_env_profile_default(run: RunCli, config: Path) -> None:
    assert sources(run)["timeout"] == {"value": 60.0, "source": "default"}
    config.write_text(config.read_text().replace("retries = 1", "retries = 1\ntimeout = 20"))
    assert sources(run)["timeout"]["value"] == 20.0
    env = {"APINODE_ADMIN_TIMEOUT": "15"}
    assert sources(run, env=env)["timeout"] == {
        "value": 15.0,
        "source": "env APINODE_ADMIN_TIMEOUT",
    }
    assert sources(run, "--timeout", "5", env=env)["timeout"] == {
        "value": 5.0,
        "source": "flag --timeout",
    }


def test_timeout_takes_effect(run: RunCli, emulator: Any) -> None:
    emulator.add_fault(path="/admin/api/services", delayMs=600, count=1)
    env = {"APINODE_ADMIN_PROFILE": "good", "APINODE_ADMIN_TIMEOUT": "0.2"}
    check(run("--retries", "1", "services", "list", env=env), 7)


def test_output_flag_env_profile(run: RunCli) -> None:
    env = {"APINODE_ADMIN_PROFILE": "good"}
    result = run("services", "list", env=env)
    check(result)
    assert result.stdout == "[]\n"
    result = run("services", "list", env={**env, "APINODE_ADMIN_OUTPUT": "tsv"})
    check(result)
    assert result.stdout == "SERVICE\tENABLED\n"
    result = run("services", "list", "-o", "plain", env={**env, "APINODE_ADMIN_OUTPUT": "tsv"})
    check(result)
    assert result.stdout.split() == ["SERVICE", "ENABLED"] and "\t" not in result.stdout


def test_config_show_lists_every_source_at_once(run: RunCli, config: Path, emulator: Any) -> None:
    env = {"APINODE_ADMIN_PROFILE": "dead", "APINODE_ADMIN_TIMEOUT": "9"}
    shown = sources(run, "--uri", emulator.uri, env=env)
    assert shown["config"] == {"value": str(config), "source": "exists"}
    assert shown["profile"]["source"] == "env APINODE_ADMIN_PROFILE"
    assert shown["uri"]["source"] == "flag --uri"
    assert shown["timeout"]["source"] == "env APINODE_ADMIN_TIMEOUT"
    assert shown["retries"]["source"] == f"config {config} [profiles.dead]"
    assert shown["no_check_certificate"]["source"] == "default"
    assert shown["ca_bundle"]["source"] == "unset"
    plain = run("--uri", emulator.uri, "config", "show", env=env)
    check(plain)
    rows = {line.split()[0]: line for line in plain.stdout.splitlines()[1:]}
    assert rows["uri"].endswith("flag --uri")
    assert rows["timeout"].endswith("env APINODE_ADMIN_TIMEOUT")


# -- global options after the command ---------------------------------------------------------


def test_global_options_after_the_command(run: RunCli, emulator: Any) -> None:
    check(run("services", "list", "--profile", "good"))
    check(run("services", "list", "--profile=good"))
    result = run(
        "services", "create", "churn", "--uri", emulator.uri, "--api-key", emulator.admin_key
    )
    check(result)
    result = run(
        "services",
        "list",
        "--uri=" + emulator.uri,
        "--api-key=" + emulator.admin_key,
        "-o",
        "tsv",
        "--no-headers",
    )
    check(result)
    assert result.stdout == "churn\ttrue\n"
