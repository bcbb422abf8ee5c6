"""A package that declares one endpoint of every type, and a node (emulator) serving it."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from apinode_admin_cli.client import APINodeAdminClient

CUSTOMERS = {
    "columns": ["email", "name", "orders"],
    "rows": [["ann@x.io", "Ann", 12], ["bob@x.io", "Bob", 3], ["cat@x.io", "Cat", 7]],
}
SERVICE_KEY = "svc-key-9f8e7d6c5b4a"

ENDPOINTS: list[Any] = [
    "plain",
    {"id": "churn", "type": "STD_PREDICTION", "classes": ["stay", "leave"], "features": ["age"]},
    {"id": "species", "type": "CUSTOM_PREDICTION", "classes": ["cat", "dog", "fish"]},
    {"id": "price", "type": "STD_PREDICTION", "predictionType": "REGRESSION"},
    {"id": "segments", "type": "STD_CLUSTERING", "clusters": ["a", "b"]},
    {
        "id": "sales",
        "type": "STD_FORECAST",
        "horizon": 2,
        "quantiles": [0.05, 0.5, 0.95],
        "timeseriesIdentifiers": ["store"],
    },
    {"id": "uplift", "type": "STD_CAUSAL_PREDICTION", "computePropensity": True},
    {"id": "score", "type": "PY_FUNCTION", "params": ["x"]},
    {"id": "hello", "type": "R_FUNCTION", "response": {"greeting": "hi"}},
    {"id": "customers", "type": "SQL_QUERY", "table": CUSTOMERS},
    {"id": "customer", "type": "DATASETS_LOOKUP", "table": CUSTOMERS, "keys": ["email"]},
]


def package(folder: Path, version: str, **manifest: Any) -> Path:
    """A zip whose manifest declares every endpoint type (or ``endpoints=`` given)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{version}.zip"
    body = {"version": version, "endpoints": ENDPOINTS, **manifest}
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps(body))
    return path


def deploy(uri: str, admin_key: str, service: str, archive: Path) -> None:
    """Create ``service`` with ``archive`` as its single active generation."""
    with APINodeAdminClient(uri, admin_key) as admin:
        admin.create_service(service)
        answer = admin.service(service).import_generation_from_archive(str(archive))
        admin.service(service).switch_to_single_generation(answer["generationId"])
