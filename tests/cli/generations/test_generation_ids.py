"""``generations import`` says which generation it created and activates exactly that one.

The archives are named after their generation id, so these tests hold whether the node takes
the id from the archive's manifest or from the file name. The emulator answers an import with
its ``generationId``; ``answers_without_id`` makes it answer ``{"ok": true}`` alone, as a node
may (the wire contract says the answer is ignored), so that the tool compares listings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from support.cli import RunCli, check, clean_env

from apinode_admin_cli.client import APINodeAdminClient

GENERATIONS_PATH = "/admin/api/services/churn/generations"


@pytest.fixture
def client(emulator: Any) -> APINodeAdminClient:
    with APINodeAdminClient(emulator.uri, emulator.admin_key) as admin:
        admin.create_service("churn")
        yield admin


@pytest.fixture
def answers_without_id() -> Iterator[None]:
    """The emulator's import answer without the generation id."""
    from apinode_admin_cli.emulator.app import Emulator

    routes = Emulator.admin_router._routes
    saved = list(routes)
    for index, (method, pattern, handler) in enumerate(saved):
        if pattern[-1] == "importFromArchive":

            def plain(*args: Any, _handler: Any = handler, **kwargs: Any) -> Any:
                _handler(*args, **kwargs)
                return {"ok": True}

            routes[index] = (method, pattern, plain)
    try:
        yield
    finally:
        routes[:] = saved


def switches(emulator: Any) -> list[str]:
    """The activation requests the node received, as the last path segments."""
    return [
        r["decoded_path"].rsplit("/", 2)[-2] + "/" + r["decoded_path"].rsplit("/", 1)[-1]
        for r in emulator.received
        if r["method"] == "POST" and "/actions/switch" in r["decoded_path"]
    ]


def test_import_names_the_generation_it_created(
    node_cli: RunCli, client: APINodeAdminClient, make_archive: Callable[..., Path]
) -> None:
    result = node_cli("generations", "import", "churn", str(make_archive("v2")))
    check(result)
    assert result.stdout == ""
    assert "Imported generation v2 into churn; not active yet" in result.stderr
    assert "apinode-admin services switch-to churn v2" in result.stderr


def test_import_json_carries_the_generation_id(
    node_cli: RunCli, client: APINodeAdminClient, make_archive: Callable[..., Path]
) -> None:
    result = node_cli("generations", "import", "churn", str(make_archive("v1")), "-o", "json")
    check(result)
    shown = json.loads(result.stdout)
    assert shown["generationId"] == "v1"
    assert shown["ok"] is True


def test_activate_switches_to_that_generation_by_id(
    node_cli: RunCli, client: APINodeAdminClient, make_archive: Callable[..., Path], emulator: Any
) -> None:
    check(node_cli("generations", "import", "churn", str(make_archive("v1"))))
    emulator.clear_received()
    result = node_cli("generations", "import", "churn", str(make_archive("v2")), "--activate")
    check(result)
    assert result.stdout == "v2\n"
    assert switches(emulator) == ["switchTo/v2"]
    result = node_cli(
        "generations", "import", "churn", str(make_archive("v3")), "--activate", "--json"
    )
    check(result)
    shown = json.loads(result.stdout)
    assert shown["generationId"] == shown["switchedToGeneration"] == "v3"


def test_the_id_in_the_node_s_answer_wins(
    node_cli: RunCli, client: APINodeAdminClient, make_archive: Callable[..., Path], emulator: Any
) -> None:
    # A node that answers the import with its id: here v7, imported beforehand, while the
    # import of v8 is answered by a fault carrying v7's id (nothing else names v7).
    client.service("churn").import_generation_from_archive(str(make_archive("v7")))
    emulator.add_fault(
        method="POST",
        pathRegex="importFromArchive",
        status=200,
        body={"ok": True, "generationId": "v7"},
    )
    emulator.clear_received()
    result = node_cli("generations", "import", "churn", str(make_archive("v8")), "--activate")
    check(result)
    assert result.stdout == "v7\n"
    assert switches(emulator) == ["switchTo/v7"]
    listings = [r for r in emulator.received if r["decoded_path"] == GENERATIONS_PATH]
    assert len(listings) == 1  # the listing before; none needed after


def test_several_new_generations_refuse_to_activate_and_name_them(
    node_cli: RunCli,
    client: APINodeAdminClient,
    make_archive: Callable[..., Path],
    emulator: Any,
    answers_without_id: None,
) -> None:
    # v0 exists, but the listing taken before the import is answered empty: after the
    # import, two generations look new, as when someone else imported at the same time.
    client.service("churn").import_generation_from_archive(str(make_archive("v0")))
    emulator.add_fault(method="GET", path=GENERATIONS_PATH, status=200, body={"generations": []})
    emulator.clear_received()
    result = node_cli("generations", "import", "churn", str(make_archive("v1")), "--activate")
    check(result, 1)
    assert result.stdout == ""
    assert "could not tell which generation it created" in result.stderr
    assert "v0, v1" in result.stderr
    assert "switch-to churn GENERATION" in result.stderr
    assert switches(emulator) == []


def test_no_new_generation_says_it_could_not_tell(
    node_cli: RunCli,
    client: APINodeAdminClient,
    make_archive: Callable[..., Path],
    emulator: Any,
    answers_without_id: None,
) -> None:
    listed = {"generations": [{"generationId": "v1", "createdOn": 0, "mounted": False}]}
    emulator.add_fault(method="GET", path=GENERATIONS_PATH, status=200, body=listed)
    result = node_cli("generations", "import", "churn", str(make_archive("v1")), "-o", "json")
    check(result)
    assert json.loads(result.stdout)["generationId"] is None
    assert "could not tell which generation it created (new: none)" in result.stderr


@pytest.mark.parametrize("answer", ["with id", "without id"])
def test_concurrent_imports_each_activate_their_own(
    emulator: Any,
    client: APINodeAdminClient,
    make_archive: Callable[..., Path],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    answer: str,
) -> None:
    if answer == "without id":
        request.getfixturevalue("answers_without_id")
    env = clean_env(
        tmp_path / "xdg", APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key
    )
    ids = ["v1", "v2", "v3"]
    archives = {gen: str(make_archive(gen)) for gen in ids}
    emulator.clear_received()
    procs = {
        gen: subprocess.Popen(
            [sys.executable, "-m", "apinode_admin_cli", "generations", "import", "churn"]
            + [archives[gen], "--activate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for gen in ids
    }
    outcomes = {gen: (proc.wait(60), *proc.communicate()) for gen, proc in procs.items()}
    activated = []
    for gen, (code, out, err) in outcomes.items():
        if code == 0:
            assert out == f"{gen}\n", err
            activated.append(gen)
        else:
            # Without the id in the node's answer, overlapping imports cannot be told
            # apart: the tool then refuses to guess rather than activate another's.
            assert (code, out) == (1, ""), err
            assert "could not tell which generation it created" in err
    if answer == "with id":
        assert activated == ids
    assert sorted(switches(emulator)) == sorted(f"switchTo/{gen}" for gen in activated)
    if activated:
        live = client.service("churn").list_generations()
        assert [g["generationId"] for g in live if g["mapped"] == 1] == [
            switches(emulator)[-1].split("/")[1]
        ]


def test_importing_an_existing_version_says_what_can_be_done(
    node_cli: RunCli, client: APINodeAdminClient, make_archive: Callable[..., Path]
) -> None:
    archive = str(make_archive("v1"))
    check(node_cli("generations", "import", "churn", archive))
    result = node_cli("generations", "import", "churn", archive)
    check(result, 6)
    assert "delete it first" not in result.stderr
    assert "cannot delete a generation" in result.stderr
    assert "new version id" in result.stderr
