"""The commands on the concurrency they now have: state apply's --parallelism."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.cli import RunCli, check
from support.state import Archive, node_summary, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle


@pytest.mark.parametrize("value", ["0", "257", "x"])
def test_a_bad_parallelism_is_a_usage_error_before_any_request(
    emulator: EmulatorHandle, node_cli: RunCli, tmp_path: Path, value: str
) -> None:
    path = tmp_path / "s.toml"
    path.write_text("[services.a]\n")
    result = node_cli("state", "apply", "-f", str(path), "-y", "--parallelism", value)
    check(result, 2)
    assert "--parallelism" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
    assert writes(emulator) == []


def test_apply_by_default_reports_every_change_in_plan_order(
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Archive,
    node_cli: RunCli,
    tmp_path: Path,
) -> None:
    services = [f"s{i}" for i in range(6)]
    path = tmp_path / "s.toml"
    path.write_text(
        "".join(
            f'[services.{s}]\ngenerations = {{ v = "{archive("v")}" }}\nactive = "v"\n'
            for s in services
        )
    )
    planned = node_cli("state", "diff", "-f", str(path))
    applied = node_cli("state", "apply", "-f", str(path), "-y")
    check(applied)
    plan = planned.stdout.splitlines()
    done = [line.split(" (")[0] for line in applied.stderr.splitlines() if line.startswith("done")]
    assert done == [f"done: {line}" for line in plan]
    assert node_summary(client) == {s: (True, {"v": 1.0}, ["v"]) for s in services}
