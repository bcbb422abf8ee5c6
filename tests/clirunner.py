"""One CliRunner for every test folder (a plain module: conftest is not importable by name)."""

from __future__ import annotations

from click.testing import CliRunner


def make_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (the default from click 8.2 on)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
