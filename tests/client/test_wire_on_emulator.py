"""The same lifecycle through the official client and ours: the emulator hears the same requests.

Each client drives its own fresh emulator (same admin key, same archives), so both see the
same state; the journals of what each emulator received are then compared request by request.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import dataikuapi
import pytest

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
from apinode_admin_cli.emulator import start_emulator

KEY = "wire-compare-admin-key-0123456789"


def lifecycle(admin: Any, user_client: Callable[[str], Any], folder: Path) -> None:
    """Every admin operation once (and a prediction), in an order a node accepts."""
    admin.create_service("churn")
    admin.list_services()
    service = admin.service("churn")
    service.import_generation_from_archive(str(folder / "v1.zip"))
    service.import_generation_from_archive(str(folder / "v2.zip"))
    service.list_generations()
    service.switch_to_newest()
    service.set_generations_mapping(
        {"entries": [{"generation": "v1", "proba": 0.5}, {"generation": "v2", "proba": 0.5}]}
    )
    service.switch_to_single_generation("v1")
    service.preload_generation("v2")
    service.disable()
    service.enable()
    auth = admin.auth()
    created = auth.add_key("ci", "a test key", "tests", None)
    auth.list_keys()
    auth.delete_key(created["key"])
    other = auth.add_key("other")
    auth.delete_key_by_id(other["id"])
    admin.get_metrics()
    admin.import_code_env_in_cache(str(folder / "env"), "python")
    admin.register_code_env_in_cache(str(folder / "env"), str(folder / "built"), "python")
    admin.clean_code_env_cache()
    admin.import_model_archive_in_cache(str(folder / "model.zip"))
    admin.clear_model_cache()
    user_client("churn").predict_record("score", {"x": 1}, forced_generation="v1")
    user_client("churn").predict_record("score", {"x": 2}, dispatch_key="k")
    admin.clean_unused_services_and_generations()
    service.delete()


def wire(request: dict[str, Any], secrets: tuple[str, ...]) -> tuple[Any, ...]:
    """What matters on the wire; the random secrets of created keys made comparable."""
    path = request["path"]
    for i, secret in enumerate(secrets):
        path = path.replace(secret, f"<secret{i}>")
    return (
        request["method"],
        path,
        request["query"],
        request["body"],
        request["headers"].get("Authorization"),
    )


def created_secrets(journal: list[dict[str, Any]]) -> tuple[str, ...]:
    """Key secrets and ids appear in paths; find them in the requests that used them."""
    found = []
    for request in journal:
        parts = request["path"].rstrip("/").split("/")
        if request["method"] == "DELETE" and "keys" in parts:
            found.append(parts[parts.index("keys") + 1])
    return tuple(found)


@pytest.fixture
def node_files(tmp_path: Path, make_archive: Callable[..., Path]) -> Path:
    for name in ("v1", "v2"):
        make_archive(name).replace(tmp_path / f"{name}.zip")
    for folder in ("env", "built"):
        (tmp_path / folder).mkdir()
    (tmp_path / "model.zip").write_bytes(b"model")
    return tmp_path


def run_with(factory: Callable[[str], tuple[Any, Callable[[str], Any]]], base: Path, folder: Path):
    with start_emulator(data_dir=base, admin_key=KEY) as node:
        admin, user = factory(node.uri)
        lifecycle(admin, user, folder)
        return [r for r in node.received if not r["path"].startswith("/__emulator__")]


def test_both_clients_send_the_same_requests(tmp_path: Path, node_files: Path) -> None:
    cwd = os.getcwd()
    os.chdir(node_files)  # both make archive paths absolute against the working directory
    try:
        theirs = run_with(
            lambda uri: (
                dataikuapi.APINodeAdminClient(uri, KEY),
                lambda sid: dataikuapi.APINodeClient(uri, sid),
            ),
            tmp_path / "official",
            node_files,
        )
        ours = run_with(
            lambda uri: (APINodeAdminClient(uri, KEY), lambda sid: APINodeClient(uri, sid)),
            tmp_path / "ours",
            node_files,
        )
    finally:
        os.chdir(cwd)
    assert len(ours) == len(theirs) == 26
    their_wire = [wire(r, created_secrets(theirs)) for r in theirs]
    our_wire = [wire(r, created_secrets(ours)) for r in ours]
    for mine, official in zip(our_wire, their_wire):
        assert mine == official
