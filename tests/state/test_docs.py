"""docs/gitops.md: its example files are valid and say the same (its session: test_guide.py)."""

from __future__ import annotations

import re
from pathlib import Path

from apinode_admin_cli.state import parse_state_text

DOC = (Path(__file__).parents[2] / "docs" / "gitops.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    """The fenced blocks of the page written in ``language`` ("" for plain ones)."""
    found, current, lang = [], None, ""
    for line in DOC.splitlines(keepends=True):
        fence = re.match(r"\s*```(\w*)\s*$", line)
        if fence and current is None:
            current, lang = [], fence.group(1)
        elif fence and current is not None:
            if lang == language:
                found.append("".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return found


def test_toml_and_json_examples_say_the_same() -> None:
    toml_example = blocks("toml")[0]
    json_example = next(b for b in blocks("json") if '"services"' in b)
    assert parse_state_text(toml_example) == parse_state_text(json_example, fmt="json")
