"""Helpers shared by the fault tests (a plain module: conftest is not importable by name)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cli_command(*args: str) -> list[str]:
    """The argv of a real ``apinode-admin`` process."""
    return [sys.executable, "-m", "apinode_admin_cli", *args]


def assert_clean_failure(stderr: str) -> None:
    """One ``Error:`` line (plus at most a hint), never a traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, stderr
    assert all(line.startswith(("Error: ", "Hint: ", "Warning: ", "{")) for line in lines), stderr


ISOLATE_PREFIXES = ("APINODE_ADMIN_", "APINODE_EMULATOR_")
ISOLATE = ("NO_COLOR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY")


def clean_env(config_home: Path, **extra: str) -> dict[str, str]:
    """The current environment minus every setting of the tool, with its own config home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(ISOLATE_PREFIXES) and k.upper() not in ISOLATE
    }
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["NO_PROXY"] = env["no_proxy"] = "*"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env
