"""Helpers shared by every test folder (a plain module: conftest is not importable by name)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from click.testing import CliRunner, Result

RunCli = Callable[..., Result]

# Whatever the developer exports must not reach a test.
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


def make_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (the default from click 8.2 on)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
