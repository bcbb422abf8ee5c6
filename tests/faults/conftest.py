"""Fixtures for the fault tests: an isolated environment, in-process and subprocess runners."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest
from testsupport import clean_env

RunProc = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def run_proc(config_home: Path) -> RunProc:
    """``python -m apinode_admin_cli ARGS`` in a real process with a clean environment."""

    def run(*args: str, env: Any = None, timeout: float = 20, **kw: Any) -> Any:
        return subprocess.run(
            [sys.executable, "-m", "apinode_admin_cli", *args],
            env=clean_env(config_home, **(env or {})),
            capture_output=True,
            text=True,
            timeout=timeout,
            **kw,
        )

    return run
