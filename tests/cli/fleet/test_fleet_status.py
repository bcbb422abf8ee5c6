"""fleet status: the drift view, each kind of difference, JSON shape and exit codes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check


@pytest.fixture
def same_everywhere(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, make_archive: Callable[..., Path]
) -> Any:
    """Three nodes serving churn v2 (v1 and v2 imported) and fraud with nothing active."""
    fleet = make_fleet("n1", "n2", "n3")
    check(fleet_cli("-q", "services", "create", "churn"))
    check(fleet_cli("-q", "services", "create", "fraud"))
    check(fleet_cli("-q", "generations", "import", "churn", str(make_archive("v1"))))
    check(fleet_cli("-q", "generations", "import", "churn", str(make_archive("v2"))))
    check(fleet_cli("-q", "services", "switch-to", "churn", "v2"))
    return fleet


def status(fleet_cli: RunCli, *args: str, code: int = 0) -> Any:
    result = fleet_cli("fleet", "status", "-o", "json", *args)
    check(result, code)
    return json.loads(result.stdout)


def test_equal_nodes_are_consistent(same_everywhere: Any, fleet_cli: RunCli) -> None:
    report = status(fleet_cli, "--exit-code")
    assert report["consistent"] is True and report["fleet"] == "prod"
    assert [s["serviceId"] for s in report["services"]] == ["churn", "fraud"]
    churn = report["services"][0]
    assert churn["differences"] == [] and churn["consistent"] is True
    assert churn["nodes"]["n1"] == {
        "present": True,
        "enabled": True,
        "mapping": {"v2": 1.0},
        "generations": ["v1", "v2"],
    }
    assert [n["outcome"] for n in report["nodes"]] == ["ok", "ok", "ok"]
    table = fleet_cli("fleet", "status", "-o", "tsv")
    check(table)
    assert table.stdout.splitlines() == [
        "SERVICE\tn1\tn2\tn3\tSAME",
        "churn\tv2\tv2\tv2\tyes",
        "fraud\tno active generation\tno active generation\tno active generation\tyes",
    ]


@pytest.mark.parametrize(
    "change, difference, cell",
    [
        (("services", "delete", "churn", "-y"), "present", "missing"),
        (("services", "disable", "churn"), "enabled", "disabled (v2)"),
        (
            ("services", "set-mapping", "churn", "--entry", "v1=0.9", "--entry", "v2=0.1"),
            "mapping",
            "v1 90% v2 10%",
        ),
    ],
)
def test_each_kind_of_difference_is_found(
    same_everywhere: Any,
    fleet_cli: RunCli,
    run_cli: RunCli,
    change: tuple[str, ...],
    difference: str,
    cell: str,
) -> None:
    check(run_cli("--profile", "n2", "-q", *change))
    report = status(fleet_cli, "--exit-code", code=8)
    assert report["consistent"] is False
    churn = report["services"][0]
    assert churn["differences"] == [difference]
    table = fleet_cli("fleet", "status", "-o", "tsv")
    check(table)  # without --exit-code, differences are not a failure
    # The SAME cell says what differs: the reason without reading the JSON.
    assert table.stdout.splitlines()[1] == f"churn\tv2\t{cell}\tv2\tno ({difference})"


def test_a_different_set_of_generations_is_found(
    same_everywhere: Any, fleet_cli: RunCli, run_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    check(
        run_cli("--profile", "n3", "-q", "generations", "import", "churn", str(make_archive("v3")))
    )
    # An unmapped generation serves nothing: reported, but the fleet still serves alike, as
    # `state diff` sees it (generations a file does not name are left alone).
    report = status(fleet_cli, "--exit-code", code=0)
    churn = report["services"][0]
    assert churn["differences"] == [] and churn["consistent"] is True
    assert churn["generationsDiffer"] is True
    assert churn["nodes"]["n3"]["generations"] == ["v1", "v2", "v3"]


def test_an_unreachable_node_exits_7_even_with_differences(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, run_cli: RunCli
) -> None:
    make_fleet("n1", "gone", "n3", down=("gone",))
    check(run_cli("--profile", "n1", "-q", "services", "create", "churn"))
    result = fleet_cli("fleet", "status", "--exit-code", "-o", "tsv")
    check(result, 7)
    assert result.stdout.splitlines()[1] == "churn\tv2\tunreachable\tmissing\tno (present)".replace(
        "v2", "no active generation"
    )
    report = json.loads(fleet_cli("fleet", "status", "-o", "json").stdout)
    assert report["consistent"] is False
    assert (
        report["nodes"][1]["outcome"] == "failed" and report["nodes"][1]["error"]["exitCode"] == 7
    )
    assert set(report["services"][0]["nodes"]) == {"n1", "n3"}


def test_a_node_that_answers_with_an_error_is_failed_not_unreachable(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, run_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2")
    check(run_cli("--profile", "n1", "-q", "services", "create", "churn"))
    key = fleet.node("n2").admin_key
    text = fleet.config.read_text(encoding="utf-8")
    fleet.config.write_text(text.replace(key, "not-the-key-of-n2"), encoding="utf-8")
    result = fleet_cli("fleet", "status", "-o", "tsv")
    check(result, 4)
    # n2 answered (it refused the key): "unreachable" would send the operator to the network.
    # What n2 serves is unknown: the service cannot be called the same everywhere.
    assert result.stdout.splitlines()[1].split("\t") == [
        "churn", "no active generation", "failed", "unknown (n2 not read)",
    ]  # fmt: skip
    report = json.loads(fleet_cli("fleet", "status", "-o", "json").stdout)
    churn = report["services"][0]
    assert churn["consistent"] is False and churn["same"] == "unknown"
    assert churn["unreached"] == ["n2"] and churn["differences"] == []
    assert "n2: failed" in result.stderr and "Invalid API key" in result.stderr


def test_fleet_status_needs_a_fleet(run_cli: RunCli) -> None:
    result = run_cli("fleet", "status")
    check(result, 2)
    assert "--fleet" in result.stderr


def test_many_services_are_read_at_once(make_fleet: Callable[..., Any], fleet_cli: RunCli) -> None:
    make_fleet("n1", "n2", latency={"n1": 100, "n2": 100})
    for i in range(24):
        check(fleet_cli("-q", "services", "create", f"s{i:02d}"))
    start = time.monotonic()
    result = fleet_cli("fleet", "status", "-o", "tsv")
    elapsed = time.monotonic() - start
    check(result)
    assert len(result.stdout.splitlines()) == 25
    assert result.stderr == ""
    # 1 listing + 24 generation reads per node at 100 ms each: concurrent, well under 2.4 s.
    assert elapsed < 1.5, elapsed


def test_no_node_reachable_is_not_reported_as_no_service(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    make_fleet("gone-1", "gone-2", down=("gone-1", "gone-2"))
    result = fleet_cli("fleet", "status")
    check(result, 7)
    assert "No service" not in result.stderr
    assert "gone-1: failed" in result.stderr and "gone-2: failed" in result.stderr


def test_verbose_logs_name_the_node_on_every_line(same_everywhere: Any, fleet_cli: RunCli) -> None:
    result = fleet_cli("-v", "fleet", "status")
    check(result)
    http = [line for line in result.stderr.splitlines() if line.startswith("[http]")]
    # The listing and each service's generations, read by worker threads of each node.
    assert len(http) == 3 * 3, result.stderr
    assert all(line.startswith(("[http] n1: ", "[http] n2: ", "[http] n3: ")) for line in http)


@pytest.mark.parametrize(
    "down, code, note",
    [
        ((), 0, "No service on any node of fleet prod."),
        (("gone",), 7, "No service on the reachable nodes of fleet prod."),
    ],
)
def test_a_fleet_without_services_says_so(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    down: tuple[str, ...],
    code: int,
    note: str,
) -> None:
    make_fleet("n1", "gone", down=down)
    result = fleet_cli("fleet", "status", "-o", "tsv")
    check(result, code)
    assert result.stdout.splitlines() == ["SERVICE\tn1\tgone\tSAME"]
    assert note in result.stderr.splitlines(), result.stderr
