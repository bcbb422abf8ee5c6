"""Hints keep the --profile/--fleet in use (issue 22, smaller things): copied, they act on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from support.cli import RunCli, check


def _profile(config_home: Path, emulator: Any, name: str = "prod") -> None:
    path = config_home / "apinode-admin" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'[profiles.{name}]\nuri = "{emulator.uri}"\napi_key = "{emulator.admin_key}"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)


def test_a_suggested_command_names_the_profile_in_use(
    run_cli: RunCli, config_home: Path, emulator: Any
) -> None:
    _profile(config_home, emulator)
    result = run_cli("--profile", "prod", "services", "rollout", "nosuch", "v1")
    check(result, 5)
    hint = next(line for line in result.stderr.splitlines() if line.startswith("Hint:"))
    assert "apinode-admin --profile prod services create nosuch" in hint
    # From the environment too: a copied command runs where that variable may not be set.
    result = run_cli("services", "rollout", "nosuch", "v1", env={"APINODE_ADMIN_PROFILE": "prod"})
    assert "apinode-admin --profile prod services create nosuch" in result.stderr


def test_without_a_profile_the_hint_is_as_it_was(node_cli: RunCli) -> None:
    result = node_cli("services", "rollout", "nosuch", "v1")
    check(result, 5)
    assert "apinode-admin services create nosuch" in result.stderr
