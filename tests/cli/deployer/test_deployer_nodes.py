"""The deployer's nodes as a fleet: `infras add-node --node-profile`, `fleet import --from-infra`.

One deployer and two node emulators for the module; the tests run in file order (the import
uses the infrastructure the add-node test filled).
"""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from support.cli import RunCli, check
from support.deployer_emulator import Emulators

from apinode_admin_cli.client import APINodeAdminClient, DSSDeployerClient
from apinode_admin_cli.emulator import EmulatorHandle

DSS_KEY = "DSS-KEY-of-the-node-tests-31"
NODE_KEYS = ("node-one-own-admin-key-11", "node-two-own-admin-key-22")
LABEL = "dss-deployer-prod"


class World:
    def __init__(self, deployer: Any, nodes: list[EmulatorHandle], home: Path) -> None:
        self.deployer = deployer
        self.nodes = nodes
        self.home = home
        self.config = home / "config.toml"
        self.env = {
            "APINODE_ADMIN_DSS_URI": deployer.uri,
            "APINODE_ADMIN_DSS_API_KEY": DSS_KEY,
            "APINODE_ADMIN_CONFIG": str(self.config),
        }
        for i, key in enumerate(NODE_KEYS, 1):
            (home / f"own{i}.key").write_text(key + "\n")
            (home / f"own{i}.key").chmod(0o600)

    def infra_urls(self) -> list[str]:
        api = DSSDeployerClient(self.deployer.uri, DSS_KEY).get_apideployer()
        nodes = api.get_infra("prod").get_settings().get_raw().get("apiNodes") or []
        return [n["url"] for n in nodes]

    def labelled(self, node: EmulatorHandle) -> list[Any]:
        with APINodeAdminClient(node.uri, node.admin_key) as client:
            return [k for k in client.auth().list_keys() if k.get("label") == LABEL]


@pytest.fixture(scope="module")
def world(emulators: Emulators, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("home")
    w = World(emulators.deployer, emulators.nodes, home)
    w.config.write_text(
        f'[profiles.n1]\nuri = "{w.nodes[0].uri}"\napi_key_file = "{home / "own1.key"}"\n'
    )
    emulators.api().create_infra("prod", "Production", "STATIC")
    yield w


@pytest.fixture
def dcli(world: World, run_cli: RunCli) -> RunCli:
    def run(*args: str) -> Any:
        return run_cli(*args, env=world.env)

    return run


def test_add_node_by_profile_twice_leaves_one_deployer_key(dcli: RunCli, world: World) -> None:
    node = world.nodes[0]
    first = dcli("deployer", "infras", "add-node", "prod", "--node-profile", "n1")
    check(first)
    assert "Added" in first.stderr and first.stdout == ""
    minted = world.labelled(node)
    assert len(minted) == 1
    again = dcli("deployer", "infras", "add-node", "prod", "--node-profile", "n1", "-o", "json")
    check(again)
    answer = json.loads(again.stdout)
    assert answer["replacedNode"] is True and answer["retiredKeys"] == 1
    now = world.labelled(node)
    assert len(now) == 1 and now != minted  # replaced, not added
    assert world.infra_urls() == [node.uri]
    # the tool's own key still works, and no secret was printed
    check(dcli("--profile", "n1", "keys", "list"))
    for result in (first, again):
        assert NODE_KEYS[0] not in result.stdout + result.stderr
        for key in now + minted:
            if not str(key.get("key", "")).startswith("*"):
                assert key["key"] not in result.stdout + result.stderr
    # the key registered in the infrastructure is one the node honours: an update works
    api = DSSDeployerClient(world.deployer.uri, DSS_KEY).get_apideployer()
    archive = world.home / "v1.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("manifest.json", json.dumps({"version": "v1"}))
    with archive.open("rb") as handle:
        api.create_service("churn").import_version(handle)
    deployment = api.create_deployment("d", "churn", "prod", "v1")
    result = deployment.start_update().wait_for_result(30)
    assert result["nbNOKNodes"] == 0 and deployment.get_status().get_health() == "HEALTHY"


def test_add_node_by_profile_refuses_a_url_beside_it(dcli: RunCli, world: World) -> None:
    result = dcli(
        "deployer", "infras", "add-node", "prod", world.nodes[1].uri, "--node-profile", "n1"
    )
    check(result, 2)
    assert world.infra_urls() == [world.nodes[0].uri]


def test_fleet_import_from_infra_then_fleet_status(dcli: RunCli, world: World) -> None:
    node2 = world.nodes[1]
    add = dcli(
        "deployer", "infras", "add-node", "prod", node2.uri,
        "--api-key-file", str(world.home / "own2.key"),
    )  # fmt: skip
    check(add)
    before = world.config.read_text()
    refused = dcli("fleet", "import", "--from-infra", "prod", "--name", "prod")
    check(refused, 2)
    assert node2.uri in refused.stderr and world.config.read_text() == before
    args = ("fleet", "import", "--from-infra", "prod", "--name", "prod")
    imported = dcli(*args, "--api-key-file", str(world.home / "own2.key"), "-o", "json")
    check(imported)
    rows = json.loads(imported.stdout)
    port = node2.uri.rsplit(":", 1)[1]
    made = f"prod-127-0-0-1-{port}"
    assert [(r["profile"], r["source"]) for r in rows] == [("n1", "existing"), (made, "created")]
    key_file = world.config.parent / f"{made}.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert NODE_KEYS[1] not in world.config.read_text()
    status = dcli("--fleet", "prod", "fleet", "status")
    check(status)
    assert "n1" in status.stdout and made in status.stdout
    again = dcli(*args, "-o", "json")
    check(again)
    assert [(r["profile"], r["source"]) for r in json.loads(again.stdout)] == [
        ("n1", "existing"),
        (made, "existing"),
    ]


def test_status_shows_what_each_node_serves_beside_the_deployment(
    dcli: RunCli, world: World
) -> None:
    # node 2 joined the infrastructure after the last update of d: it lacks the service
    status = dcli("deployer", "deployments", "status", "d", "-o", "tsv")
    check(status)
    rows = {line.split("\t")[0]: line.split("\t") for line in status.stdout.splitlines()}
    header = rows["NODE"]
    assert header[-2:] == ["DEPLOYED", "SERVES"]
    node1, node2 = (rows[n.uri] for n in world.nodes)
    assert node1[1] == "OK" and node1[-2:] == ["v1", "v1"]
    assert node2[1] != "OK" and node2[-2:] == ["v1", "missing"]
    for key in NODE_KEYS:
        assert key not in status.stdout + status.stderr


def test_metrics_of_the_deployers_nodes_through_the_imported_fleet(
    dcli: RunCli, world: World
) -> None:
    shown = dcli("--fleet", "prod", "metrics", "show", "-o", "prometheus")
    check(shown)
    port = world.nodes[1].uri.rsplit(":", 1)[1]
    assert 'node="n1"' in shown.stdout and f'node="prod-127-0-0-1-{port}"' in shown.stdout
    for key in NODE_KEYS:
        assert key not in shown.stdout + shown.stderr
