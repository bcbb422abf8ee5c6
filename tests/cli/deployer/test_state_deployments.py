"""`[deployments.NAME]` in state files: planned, applied (once) and exported through the deployer.

One deployer and two node emulators for the module; the tests run in file order.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from support.cli import RunCli, check
from support.deployer_emulator import Emulators
from support.rollout import mapping_of

from apinode_admin_cli.emulator import EmulatorHandle

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DSS_KEY = "DSS-KEY-of-the-state-tests-5"
NODE_KEYS = ("node-one-state-admin-key-1", "node-two-state-admin-key-2")
STATE = """
[deployments.churn-dev]
service = "churn"
infra = "dev"
{what}
"""


class World:
    def __init__(self, deployer: Any, nodes: list[EmulatorHandle], files: Path) -> None:
        self.deployer = deployer
        self.nodes = nodes
        self.files = files
        self.env = {"APINODE_ADMIN_DSS_URI": deployer.uri, "APINODE_ADMIN_DSS_API_KEY": DSS_KEY}

    def state(self, what: str) -> str:
        path = self.files / "state.toml"
        path.write_text(STATE.format(what=what))
        return str(path)

    def writes(self) -> list[str]:
        return [
            f"{r['method']} {r['path']}"
            for r in self.deployer.received
            if r["method"] in ("PUT", "POST", "DELETE")
        ]


@pytest.fixture(scope="module")
def world(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    files = tmp_path_factory.mktemp("files")
    packages = []
    for version in ("v1", "v2"):
        path = files / f"{version}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("manifest.json", json.dumps({"version": version}))
        packages.append(path)
    emulators.churn_on_dev(packages)
    yield World(emulators.deployer, emulators.nodes, files)


@pytest.fixture
def dcli(world: World, run_cli: RunCli) -> RunCli:
    def run(*args: str) -> Any:
        return run_cli(*args, env=world.env)

    return run


def test_a_deployment_applies_once_then_sends_no_write(dcli: RunCli, world: World) -> None:
    path = world.state('version = "v1"')
    diff = dcli("state", "diff", "-f", path, "--exit-code")
    check(diff, 8)
    assert diff.stdout.splitlines()[0] == "+ deployment churn-dev: churn v1 100% on dev"
    applied = dcli("state", "apply", "-f", path, "-y")
    check(applied)
    assert "Apply complete" in applied.stderr
    assert [mapping_of(n) for n in world.nodes] == [{"v1": 1.0}, {"v1": 1.0}]
    world.deployer.clear_received()
    again = dcli("state", "apply", "-f", path, "-y", "-o", "json")
    check(again)
    assert json.loads(again.stdout) == {"ok": True, "changes": []}
    check(dcli("state", "diff", "-f", path, "--exit-code"))
    assert world.writes() == []


def test_a_mapping_then_export_round_trips(dcli: RunCli, world: World) -> None:
    path = world.state("mapping = {v1 = 0.75, v2 = 0.25}")
    applied = dcli("state", "apply", "-f", path, "-y", "-o", "json")
    check(applied)
    actions = [c["action"] for c in json.loads(applied.stdout)["changes"]]
    assert actions == ["settings", "update"]
    assert [mapping_of(n) for n in world.nodes] == [{"v1": 0.75, "v2": 0.25}] * 2
    exported = dcli("state", "export", "--deployer")
    check(exported)
    tables = tomllib.loads(exported.stdout)["deployments"]
    assert tables == {
        "churn-dev": {
            "service": "churn",
            "infra": "dev",
            "mapping": {"v1": 0.75, "v2": 0.25},
            "enabled": True,
        }
    }
    round_trip = world.files / "exported.toml"
    round_trip.write_text(exported.stdout)
    world.deployer.clear_received()
    check(dcli("state", "apply", "-f", str(round_trip), "-y"))
    assert world.writes() == []


def test_bad_files_are_refused_before_anything_is_sent(dcli: RunCli, world: World) -> None:
    valid = dcli("state", "validate", "-f", world.state('version = "v1"'))
    check(valid)
    assert valid.stdout.rstrip().endswith("valid, 0 services, 1 deployment (churn-dev)")
    world.deployer.clear_received()
    both = dcli("state", "apply", "-y", "-f", world.state('version = "v1"\nmapping = {v1 = 1}'))
    check(both, 2)
    assert "exactly one of `version` or `mapping`" in both.stderr
    missing = dcli("state", "apply", "-y", "-f", world.state('version = "v9"'))
    check(missing, 5)
    assert "'v9'" in missing.stderr and "nothing was changed" in missing.stderr
    assert world.writes() == []
