"""`fleet status` and `state diff` agree on what converged means (issue 22 items 7 and 8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from support.cli import RunCli, check


def test_after_applying_one_nodes_export_both_commands_say_converged(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    run_cli: RunCli,
    make_archive: Callable[..., Path],
    tmp_path: Path,
) -> None:
    make_fleet("n1", "n2", "n3")
    check(fleet_cli("-q", "services", "create", "churn"))
    for generation in ("v1", "v2"):
        check(fleet_cli("-q", "generations", "import", "churn", str(make_archive(generation))))
    # n3 holds one more generation, serving nothing: a file exported from n1 does not name it.
    check(
        run_cli("--profile", "n3", "-q", "generations", "import", "churn", str(make_archive("v3")))
    )
    check(run_cli("--profile", "n1", "-q", "services", "switch-to", "churn", "v2"))
    exported = tmp_path / "prod.toml"
    export = run_cli("--profile", "n1", "state", "export")
    check(export)
    exported.write_text(export.stdout, encoding="utf-8")
    check(fleet_cli("-q", "state", "apply", "-f", str(exported), "-y"))

    check(fleet_cli("state", "diff", "-f", str(exported), "--exit-code"))
    status = fleet_cli("fleet", "status", "--exit-code", "-o", "json")
    check(status)
    churn = json.loads(status.stdout)["services"][0]
    assert churn["consistent"] is True and churn["generationsDiffer"] is True


def test_a_node_down_is_unknown_not_the_same(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, run_cli: RunCli
) -> None:
    make_fleet("n1", "gone", "n3", down=("gone",))
    for name in ("n1", "n3"):
        check(run_cli("--profile", name, "-q", "services", "create", "churn"))
    result = fleet_cli("fleet", "status", "-o", "json")
    check(result, 7)
    report = json.loads(result.stdout)
    churn = report["services"][0]
    assert report["consistent"] is False
    assert churn["consistent"] is False and churn["same"] == "unknown"
    assert churn["unreached"] == ["gone"]


def test_equal_mappings_print_alike_whatever_each_nodes_order(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    run_cli: RunCli,
    make_archive: Callable[..., Path],
) -> None:
    make_fleet("n1", "n2")
    check(fleet_cli("-q", "services", "create", "churn"))
    # Each node lists its generations in the order it imported them: opposite orders here.
    for name, order in (("n1", ("v1", "v2")), ("n2", ("v2", "v1"))):
        for generation in order:
            path = str(make_archive(generation))
            check(run_cli("--profile", name, "-q", "generations", "import", "churn", path))
    mapping = ("--entry", "v1=0.25", "--entry", "v2=0.75")
    check(fleet_cli("-q", "services", "set-mapping", "churn", *mapping))
    table = fleet_cli("fleet", "status", "-o", "tsv")
    check(table)
    assert table.stdout.splitlines()[1].split("\t")[1:3] == ["v2 75% v1 25%", "v2 75% v1 25%"]
    report = json.loads(fleet_cli("fleet", "status", "-o", "json").stdout)
    nodes = report["services"][0]["nodes"]
    assert list(nodes["n1"]["mapping"]) == list(nodes["n2"]["mapping"]) == ["v2", "v1"]


def test_differing_shows_only_the_rows_that_are_not_the_same(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    run_cli: RunCli,
    make_archive: Callable[..., Path],
) -> None:
    make_fleet("n1", "n2")
    for service in ("churn", "fraud", "same"):
        check(fleet_cli("-q", "services", "create", service))
    check(run_cli("--profile", "n2", "-q", "services", "disable", "fraud"))
    check(run_cli("--profile", "n1", "-q", "services", "delete", "churn", "-y"))
    table = fleet_cli("fleet", "status", "--differing", "-o", "tsv")
    check(table)
    assert table.stdout.splitlines()[1:] == [
        "fraud\tno active generation\tdisabled\tno (enabled)",
        "churn\tmissing\tno active generation\tno (present)",
    ]
    report = json.loads(fleet_cli("fleet", "status", "--differing", "-o", "json").stdout)
    assert [s["serviceId"] for s in report["services"]] == ["fraud", "churn"]
    assert report["consistent"] is False
    check(run_cli("--profile", "n1", "-q", "services", "create", "churn"))
    check(run_cli("--profile", "n2", "-q", "services", "enable", "fraud"))
    quiet = fleet_cli("fleet", "status", "--differing", "-o", "tsv")
    check(quiet)
    assert quiet.stdout.splitlines() == ["SERVICE\tn1\tn2\tSAME"]
    assert "Every service is the same on every node of fleet prod." in quiet.stderr
