"""Helpers of the deployer tests: service packages, what a node serves, a running deployer."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import requests

from apinode_admin_cli.client import DSSDeployerClient
from apinode_admin_cli.emulator import EmulatorHandle


def package(version: str, endpoints: tuple[str, ...] = ("predict",), **manifest: Any) -> io.BytesIO:
    """An in-memory service package whose manifest names ``version`` (a file-like with a name)."""
    data = io.BytesIO()
    fields = {"version": version, "endpoints": list(endpoints), **manifest}
    with zipfile.ZipFile(data, "w") as archive:
        # A fixed date: the same version built twice gives the same bytes.
        for name, content in (
            ("manifest.json", json.dumps(fields).encode()),
            ("model/weights.bin", version.encode() * 64),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content)
    data.seek(0)
    data.name = f"{version}.zip"
    return data


def served(node: EmulatorHandle, service: str) -> dict[str, float]:
    """The generations a node serves for a service, with their shares ({} when absent)."""
    auth = (node.admin_key, "")
    listed = requests.get(f"{node.uri}/admin/api/services", auth=auth, timeout=10).json()
    if service not in [s["serviceId"] for s in listed]:
        return {}
    url = f"{node.uri}/admin/api/services/{service}/generations"
    generations = requests.get(url, auth=auth, timeout=10).json()["generations"]
    return {g["generationId"]: g["mapped"] for g in generations if g["mapped"]}


class Emulators:
    """A running deployer and its two nodes, with what it takes to talk to them."""

    def __init__(self, deployer: Any, nodes: list[EmulatorHandle], dss_key: str) -> None:
        self.deployer = deployer
        self.nodes = nodes
        self.dss_key = dss_key
        self.env = {"APINODE_ADMIN_DSS_URI": deployer.uri, "APINODE_ADMIN_DSS_API_KEY": dss_key}

    def api(self) -> Any:
        """The official client's view of the deployer."""
        return DSSDeployerClient(self.deployer.uri, self.dss_key).get_apideployer()

    def churn_on_dev(self, packages: list[Path]) -> Any:
        """Service ``churn`` with these versions, infrastructure ``dev`` holding both nodes."""
        api = self.api()
        service = api.create_service("churn")
        for path in packages:
            with path.open("rb") as handle:
                service.import_version(handle)
        api.create_infra("dev", "Development", "STATIC")
        settings = api.get_infra("dev").get_settings()
        for node in self.nodes:
            settings.add_apinode(node.uri, node.admin_key)
        settings.save()
        return api
