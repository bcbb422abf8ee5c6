"""Helpers shared by the fault tests (a plain module: conftest is not importable by name)."""

from __future__ import annotations

from typing import Any


def assert_clean_failure(stderr: str) -> None:
    """One ``Error:`` line (plus at most a hint), never a traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, stderr
    assert all(line.startswith(("Error: ", "Hint: ", "Warning: ", "{")) for line in lines), stderr


def assert_failed(result: Any, code: int, *words: str) -> str:
    """An in-process run failed cleanly with ``code``, every word in its first stderr line."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert_clean_failure(result.stderr)
    first: str = result.stderr.splitlines()[0]
    for word in words:
        assert word in first, result.stderr
    return first
