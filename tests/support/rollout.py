"""Helpers of the rollout tests: deployed services, probes, mappings seen on the wire."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from apinode_admin_cli.cli.services.rollout_view import RolloutView
from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
from apinode_admin_cli.emulator import EmulatorHandle

SERVICE = "churn"


SET_MAPPING = f"/admin/api/services/{SERVICE}/actions/setMapping"


PREDICT = f"/public/api/v1/{SERVICE}/score/predict"


class Deploy:
    """Builds archives once and deploys a service with a stable mapping on a node."""

    def __init__(self, make_archive: Callable[..., Path]) -> None:
        self.make_archive = make_archive

    def __call__(
        self,
        handle: EmulatorHandle,
        stable: dict[str, float],
        extra: tuple[str, ...] = (),
        **manifests: dict[str, Any],
    ) -> None:
        """Service churn with generations ``stable`` (+ ``extra``), mapped as ``stable``."""
        with admin(handle) as client:
            client.create_service(SERVICE)
            service = client.service(SERVICE)
            for generation in (*stable, *extra):
                path = self.make_archive(generation, **manifests.get(generation, {}))
                service.import_generation_from_archive(str(path))
            entries = [{"generation": g, "proba": p} for g, p in stable.items()]
            service.set_generations_mapping({"entries": entries})
        handle.clear_received()


def admin(handle: EmulatorHandle) -> APINodeAdminClient:
    return APINodeAdminClient(handle.uri, handle.admin_key, retries=0)


def mapping_of(handle: EmulatorHandle) -> dict[str, float]:
    """The shares the node reports for churn (generations with no traffic left out)."""
    with admin(handle) as client:
        rows = client.service(SERVICE).list_generations()
    return {row["generationId"]: row["mapped"] for row in rows if row["mapped"] > 0}


def mapping_bodies(handle: EmulatorHandle) -> list[dict[str, float]]:
    """Each setMapping the node received, as ``{GEN: proba}`` in the order of its entries."""
    found = []
    for entry in handle.received:
        if entry["method"] == "POST" and entry["path"] == SET_MAPPING:
            body = json.loads(entry["body"])
            found.append({e["generation"]: e["proba"] for e in body["entries"]})
    return found


def writes(handle: EmulatorHandle) -> list[str]:
    """The paths of every request that could change the node (anything but GET)."""
    return [e["path"] for e in handle.received if e["method"] != "GET"]


def predictions(handle: EmulatorHandle) -> list[dict[str, Any]]:
    return [json.loads(e["body"]) for e in handle.received if e["path"] == PREDICT]


class SimpleNode:
    """A node as the library needs it, without the CLI."""

    def __init__(self, handle: EmulatorHandle, name: Optional[str] = None) -> None:
        self.name = name
        self.handle = handle
        self.client = APINodeAdminClient(handle.uri, handle.admin_key, retries=0)

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient:
        return APINodeClient(self.handle.uri, service_id, service_key, retries=0)


def at_event(monkeypatch: pytest.MonkeyPatch, event: str, action: Callable[..., None]) -> None:
    """Run ``action(*args)`` when the rollout reaches ``event`` (a listener method), then go on."""
    original = getattr(RolloutView, event)

    def hooked(self: RolloutView, *args: Any) -> None:
        action(*args)
        original(self, *args)

    monkeypatch.setattr(RolloutView, event, hooked)
