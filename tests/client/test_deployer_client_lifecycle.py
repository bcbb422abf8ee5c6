"""Our deployer client and dataikuapi's run the same lifecycle on the deployer emulator.

Each client drives its own service, infrastructure and deployment through a whole lifecycle on
one deployer emulator over two node emulators; the requests each sent, as the emulator's
journal recorded them, are the same (ids aside), and so are the states they reached.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterator

import dataikuapi
import pytest
import requests

from apinode_admin_cli.client import DSSDeployerClient
from apinode_admin_cli.emulator import EmulatorHandle, start_emulator
from apinode_admin_cli.emulator.deployer import start_deployer

KEY = "lifecycle-dss-key-0001"


def _package(folder: Path, version: str) -> Path:
    path = folder / f"{version}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"version": version}))
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, list[EmulatorHandle]]]:
    nodes = [
        start_emulator(data_dir=tmp_path_factory.mktemp(f"lnode{i}"), admin_key=f"lnode-key-{i}")
        for i in range(2)
    ]
    deployer = start_deployer(data_dir=tmp_path_factory.mktemp("ldeployer"), api_key=KEY)
    try:
        yield deployer, nodes
    finally:
        deployer.stop()
        for node in nodes:
            node.stop()


def lifecycle(client: Any, tag: str, nodes: list[EmulatorHandle], files: Path) -> dict[str, Any]:
    """Service, versions, static infrastructure, deployment, updates, status, deletion."""
    api = client.get_apideployer()
    service = api.create_service(f"svc-{tag}")
    for version in ("v1", "v2"):
        with _package(files, version).open("rb") as handle:
            service.import_version(handle)
    infra = api.create_infra(f"infra-{tag}", "Development", "STATIC")
    settings = infra.get_settings()
    for node in nodes:
        settings.add_apinode(node.uri, node.admin_key)
    settings.save()
    deployment = api.create_deployment(f"dep-{tag}", f"svc-{tag}", f"infra-{tag}", "v1")
    first = deployment.start_update().wait_for_result()
    dep_settings = deployment.get_settings()
    dep_settings.set_single_version("v2")
    dep_settings.save()
    second = deployment.start_update().wait_for_result()
    status = deployment.get_status()
    reached = {
        "versions": [p["id"] for p in service.get_status().get_versions()],
        "results": [first["status"], second["status"]],
        "health": status.get_health(),
        "urls": [u.rsplit("/", 1)[0] for u in status.get_service_urls()],
        "updates": [u.status for u in deployment.list_updates()],
        "last_update_logs": bool(deployment.get_update().logs),
    }
    for url in reached["urls"]:
        answer = requests.post(
            f"{url}/svc-{tag}/p/predict", json={"features": {"x": 1}}, timeout=10
        )
        assert answer.status_code == 200, answer.text
    deployment.delete(disable_first=True)
    service.delete_version("v1")
    infra.delete()
    service.delete()
    reached["left"] = [d["deploymentBasicInfo"]["id"] for d in api.list_deployments(False)]
    return reached


def _wire(journal: list[dict[str, Any]], tag: str) -> list[tuple[str, str, str]]:
    """Method, path and sorted query of each request, the client's ids made neutral."""
    calls = []
    for entry in journal:
        if "/futures/" in entry["path"]:
            continue  # how often each client polls a job is its own business
        path = entry["path"].replace(f"-{tag}", "-X")
        query = json.dumps(sorted((entry.get("query") or {}).items()))
        calls.append((entry["method"], path, query))
    return calls


def _run(lab: Any, make: Callable[[], Any], tag: str, files: Path) -> tuple[Any, list[Any]]:
    deployer, nodes = lab
    deployer.clear_received()
    reached = lifecycle(make(), tag, nodes, files)
    return reached, _wire(deployer.received, tag)


def test_same_lifecycle_same_requests_same_outcome(lab: Any, tmp_path: Path) -> None:
    deployer, _ = lab
    theirs, their_wire = _run(
        lab, lambda: dataikuapi.DSSClient(deployer.uri, KEY), "official", tmp_path
    )
    with DSSDeployerClient(deployer.uri, KEY) as ours_client:
        ours, our_wire = _run(lab, lambda: ours_client, "ours", tmp_path)
    assert len(our_wire) > 20 and our_wire == their_wire
    assert ours == theirs
    assert ours["health"] == "HEALTHY" and ours["results"] == ["SUCCESS", "SUCCESS"]
    assert len(ours["urls"]) == 2 and ours["left"] == []
