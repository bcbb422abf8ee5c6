"""`state validate` (issue 22, smaller things): every problem of a file, offline."""

from __future__ import annotations

import json
from pathlib import Path

from support.cli import RunCli, check

BAD = '[services.churn]\nmapin = 1\nenabled = "x"\nactive = 3\n'


def test_every_problem_is_listed_without_any_node(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "prod.toml"
    path.write_text(BAD, encoding="utf-8")
    result = run_cli("state", "validate", "-f", str(path))  # no URI, no key: none needed
    check(result, 2)
    lines = result.stderr.splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [
        "services.churn.mapin",
        "services.churn.enabled",
        "services.churn.active",
    ]
    report = json.loads(run_cli("state", "validate", "-f", str(path), "-o", "json").stdout)
    assert report["valid"] is False and len(report["problems"]) == 3


def test_a_valid_file_says_what_it_manages(run_cli: RunCli, tmp_path: Path) -> None:
    path = tmp_path / "prod.toml"
    path.write_text("[services.churn]\n[services.fraud]\nenabled = false\n", encoding="utf-8")
    result = run_cli("state", "validate", "-f", str(path))
    check(result)
    assert result.stdout == f"{path}: valid, 2 services (churn, fraud)\n"


def test_diff_points_at_validate_when_there_are_more_problems(
    node_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "prod.toml"
    path.write_text(BAD, encoding="utf-8")
    result = node_cli("state", "diff", "-f", str(path))
    check(result, 2)
    assert "(and 2 more problems)" in result.stderr
    assert "state validate -f FILE` lists every problem" in result.stderr
    document = json.loads(
        node_cli("state", "diff", "-f", str(path), "-o", "json").stderr.splitlines()[-1]
    )
    assert len(document["error"]["problems"]) == 3
