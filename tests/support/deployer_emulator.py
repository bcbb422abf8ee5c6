"""Helpers of the deployer emulator tests: service packages, what a node serves."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import requests

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
