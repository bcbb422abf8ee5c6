"""A profile's key sent to a URI it was not set for (issue 22 item 11): said, and named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check

from apinode_admin_cli.emulator import EmulatorHandle, start_emulator


@pytest.fixture
def other(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with start_emulator(
        data_dir=tmp_path_factory.mktemp("other"), admin_key="key-of-the-other-node-0000"
    ) as handle:
        yield handle


def _profile(config_home: Path, emulator: EmulatorHandle) -> None:
    path = config_home / "apinode-admin" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'default_profile = "prod"\n[profiles.prod]\nuri = "{emulator.uri}"\n'
        f'api_key = "{emulator.admin_key}"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_profile_key_sent_to_another_uri_is_said_and_the_hint_names_it(
    run_cli: RunCli, config_home: Path, emulator: EmulatorHandle, other: Any, how: str
) -> None:
    _profile(config_home, emulator)
    if how == "flag":
        result = run_cli("--uri", other.uri, "services", "list")
    else:
        result = run_cli("services", "list", env={"APINODE_ADMIN_URI": other.uri})
    assert result.exit_code == 4, result.output  # the other node refuses prod's key
    assert (
        f"Warning: the API key of profile 'prod' (set for {emulator.uri}) is sent to {other.uri}"
        in result.stderr
    )
    hint = [line for line in result.stderr.splitlines() if line.startswith("Hint:")]
    assert hint and "[profiles.prod]" in hint[0] and "not from the same place as the URI" in hint[0]
    assert emulator.admin_key not in result.output


def test_the_profiles_own_node_gets_no_warning(
    run_cli: RunCli, config_home: Path, emulator: EmulatorHandle
) -> None:
    _profile(config_home, emulator)
    result = run_cli("--uri", emulator.uri + "/", "services", "list")
    check(result)
    assert "Warning" not in result.stderr
