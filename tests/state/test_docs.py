"""docs/gitops.md: its example files are valid and say the same, and its failed apply is the
tool's (its session: test_guide.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Callable

from support.cli import RunCli, check, fenced_blocks

from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.state import parse_state_text

PAGE = Path(__file__).parents[2] / "docs" / "gitops.md"
DOC = PAGE.read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    """The fenced blocks of the page written in ``language`` ("" for plain ones)."""
    return [text for lang, text in fenced_blocks(PAGE) if lang == language]


def test_toml_and_json_examples_say_the_same() -> None:
    toml_example = blocks("toml")[0]
    json_example = next(b for b in blocks("json") if '"services"' in b)
    assert parse_state_text(toml_example) == parse_state_text(json_example, fmt="json")


NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def test_the_failed_apply_shown_is_what_apply_prints(
    emulator: EmulatorHandle, archive: Callable[[str], str], node_cli: RunCli, tmp_path: Path
) -> None:
    # The page's example file, without the service whose generation must already exist.
    example = blocks("toml")[0].split("[services.legacy]")[0]
    shown_paths = sorted(set(re.findall(r"/srv/packages/[\w/]+?\.zip", example)))
    real = {shown: archive(shown.rsplit("/", 1)[1][: -len(".zip")]) for shown in shown_paths}
    for shown, path in real.items():
        example = example.replace(shown, path)
    state_file = tmp_path / "prod.toml"
    state_file.write_text(example, encoding="utf-8")
    emulator.add_fault(
        method="POST", path="/admin/api/services/churn/actions/setMapping", status=500
    )

    # The guide shows this apply run with --parallelism 1, one change after the other.
    failed = node_cli(
        "--retries", "1", "state", "apply", "-f", str(state_file), "-y", "-o", "json",
        "--parallelism", "1",
    )  # fmt: skip
    check(failed, 7)
    report = failed.stderr[failed.stderr.index("done: ") : failed.stderr.index("\n{")]
    for shown, path in real.items():
        report = report.replace(path, shown)
    timing = re.compile(r" \(\d+\.\d\d s\)$", re.M)
    page = next(b for b in blocks("") if b.startswith("done: + service churn") and "failed" in b)
    assert timing.sub("", report) == timing.sub("", page).rstrip("\n")

    # The page's JSON shows some of the done changes and says how many it leaves out.
    done = [c for c in json.loads(failed.stdout)["changes"] if c["status"] == "done"]
    page_json = next(b for b in blocks("json") if b.lstrip().startswith('{"ok": false'))
    shown_done = [c for c in json.loads(page_json)["changes"] if c["status"] == "done"]
    left_out = re.search(r"(\w+) `done` ones are left out above", DOC)
    assert left_out is not None
    assert len(shown_done) + NUMBERS[left_out.group(1)] == len(done)
