"""Fixtures of the desired-state tests: a client on the test's emulator, archives, the journal."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[APINodeAdminClient]:
    """An admin client on the test's emulator, without retries (faults must fail at once)."""
    with APINodeAdminClient(emulator.uri, emulator.admin_key, retries=1) as admin:
        yield admin


@pytest.fixture
def archive(make_archive: Callable[..., Path]) -> Callable[[str], str]:
    """``archive("v2")``: the absolute path of an archive whose generation id is ``v2``."""

    def make(generation: str) -> str:
        return str(make_archive(generation).resolve())

    return make


def writes(emulator: EmulatorHandle) -> list[tuple[str, str]]:
    """The journal's requests that could change something: (method, decoded path)."""
    return [(r["method"], r["decoded_path"]) for r in emulator.received if r["method"] != "GET"]


def node_summary(client: APINodeAdminClient) -> dict[str, Any]:
    """{service: (enabled, {generation: share}, mounted generations)}: a comparable snapshot."""
    summary = {}
    for row in client.list_services():
        gens = client.service(row["serviceId"]).list_generations()
        summary[row["serviceId"]] = (
            row["enabled"],
            {g["generationId"]: round(g["mapped"], 6) for g in gens},
            sorted(g["generationId"] for g in gens if g["mounted"]),
        )
    return summary
