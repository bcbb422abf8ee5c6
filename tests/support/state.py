"""Helpers of the state tests: a plain module, since a conftest is not importable by name."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from click.testing import Result

from apinode_admin_cli.cli import cli
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle
from support.cli import make_runner

# The ``archive`` fixture: ``archive("v2")`` is the path of an archive of generation v2.
Archive = Callable[[str], str]


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


def on_terminal(args: list[str], answer: str, env: dict[str, str] | None = None) -> Result:
    """Run ``apinode-admin ARGS`` as from a terminal, a person typing ``answer`` at its prompt."""
    terminal = Terminal(stdin_tty=True, stderr_tty=True)
    return make_runner().invoke(cli, args, obj=App(terminal), input=answer, env=env)


def setup_gens(client: APINodeAdminClient, archive: Archive, sid: str, *gens: str) -> None:
    """Create service ``sid`` and import each of ``gens`` into it (nothing active yet)."""
    client.create_service(sid)
    for gen in gens:
        client.service(sid).import_generation_from_archive(archive(gen))


def set_mapping(client: APINodeAdminClient, sid: str, **shares: float) -> None:
    """``set_mapping(client, "churn", v1=0.5, v2=0.5)``."""
    entries = [{"generation": g, "proba": p} for g, p in shares.items()]
    client.service(sid).set_generations_mapping({"entries": entries})


def assert_node_says(summary: dict[str, Any], state: dict[str, Any], prune: bool) -> None:
    """The node (its ``node_summary``) serves what the state structure ``state`` says."""
    services = state["services"]
    if prune:
        assert sorted(summary) == sorted(services)
    for sid, table in services.items():
        enabled, mapped, mounted = summary[sid]
        assert enabled == table.get("enabled", True), sid
        assert set(table.get("generations", {})) <= set(mapped), sid
        assert set(table.get("preload", [])) <= set(mounted), sid
        wanted = table.get("mapping") or ({table["active"]: 1.0} if "active" in table else {})
        shares = {g: _share(p) for g, p in wanted.items()}
        if shares:
            taking = {g: s for g, s in mapped.items() if s}
            # node_summary rounds to 6 places; the contract's tolerance on shares is 1e-6.
            expected = {g: s for g, s in shares.items() if s}
            assert taking == pytest.approx(expected, abs=1e-6), sid


def _share(value: float | str) -> float:
    return float(value[:-1]) / 100 if isinstance(value, str) else float(value)
