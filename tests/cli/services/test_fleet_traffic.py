"""Traffic changes on a fleet (issue 22 item 1): every node checked first, a split said aloud."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check
from support.rollout import mapping_of, writes

from apinode_admin_cli.errors import ExitCode


@pytest.fixture
def fleet(
    make_fleet: Callable[..., Any],
    fleet_cli: RunCli,
    run_cli: RunCli,
    make_archive: Callable[..., Path],
) -> Any:
    """n1, n2, n3 serving churn v1; only n1 also has v3 (and v3 is its newest)."""
    made = make_fleet("n1", "n2", "n3")
    check(fleet_cli("-q", "services", "create", "churn"))
    check(fleet_cli("-q", "generations", "import", "churn", str(make_archive("v1"))))
    check(fleet_cli("-q", "services", "switch-to", "churn", "v1"))
    check(
        run_cli("--profile", "n1", "-q", "generations", "import", "churn", str(make_archive("v3")))
    )
    for handle in made.nodes.values():
        handle.clear_received()
    return made


@pytest.mark.parametrize(
    ("command", "code", "said"),
    [
        (("switch-to", "churn", "v3"), ExitCode.NOT_FOUND, "generation 'v3' not found"),
        (
            ("set-mapping", "churn", "--entry", "v1=0.9", "--entry", "v3=0.1"),
            ExitCode.NOT_FOUND,
            "generation 'v3' not found",
        ),
        (
            ("switch-to-newest", "churn"),
            ExitCode.USAGE,
            "the newest generation of 'churn' is not the same on every node",
        ),
    ],
    ids=["switch-to", "set-mapping", "switch-to-newest"],
)
def test_a_change_that_cannot_reach_every_node_changes_none(
    fleet: Any, fleet_cli: RunCli, command: tuple[str, ...], code: int, said: str
) -> None:
    result = fleet_cli("services", *command)
    check(result, code)
    assert said in result.stderr and "nothing was changed" in result.stderr
    for handle in fleet.nodes.values():
        assert writes(handle) == []
        assert mapping_of(handle) == {"v1": 1.0}


def test_a_newest_generation_shared_by_every_node_is_switched_to(
    fleet: Any, fleet_cli: RunCli, run_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    for name in ("n2", "n3"):
        path = str(make_archive("v3"))
        check(run_cli("--profile", name, "-q", "generations", "import", "churn", path))
    result = fleet_cli("services", "switch-to-newest", "churn", "-o", "json")
    check(result)
    assert [item["result"]["switchedToGeneration"] for item in json.loads(result.stdout)] == [
        "v3"
    ] * 3
    assert "split" not in result.stderr


def test_a_node_failing_its_write_leaves_a_split_fleet_said_aloud(
    fleet: Any, fleet_cli: RunCli
) -> None:
    path = "/admin/api/services/churn/actions/switchTo/v1"
    fleet.node("n2").add_fault(method="POST", path=path, status=500, count=5)
    result = fleet_cli("services", "switch-to", "churn", "v1")
    assert result.exit_code != 0
    assert "fleet prod is split: churn changed on n1, n3, not on n2" in result.stderr
    assert "fleet status" in result.stderr
