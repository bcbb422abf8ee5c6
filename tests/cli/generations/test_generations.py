"""``generations``: list, import (with and without --activate) and preload on the emulator."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check


def generations(node_cli: RunCli, service: str) -> list[dict[str, Any]]:
    result = node_cli("generations", "list", service, "-o", "json")
    check(result)
    listed: list[dict[str, Any]] = json.loads(result.stdout)["generations"]
    return listed


def imports(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.received if r["path"].endswith("/importFromArchive")]


@pytest.fixture
def service(node_cli: RunCli) -> str:
    check(node_cli("services", "create", "churn"))
    return "churn"


@pytest.fixture
def five_hours_west(local_tz: Callable[[str], None]) -> timezone:
    """Local time is UTC-05:00 (a POSIX TZ string: no tz database needed)."""
    local_tz("XST+05")
    return timezone(timedelta(hours=-5))


def test_list_of_a_new_service_is_empty(node_cli: RunCli, service: str) -> None:
    result = node_cli("generations", "list", service, "-o", "json")
    check(result)
    assert json.loads(result.stdout) == {"generations": []}
    result = node_cli("generations", "list", service)
    check(result)
    assert result.stdout.split() == ["GENERATION", "CREATED", "MOUNTED", "MAPPED", "%"]
    assert result.stderr == ""


def test_list_of_an_unknown_service_exits_5(node_cli: RunCli) -> None:
    result = node_cli("generations", "list", "nope")
    check(result, 5)
    assert result.stdout == ""
    assert "not found" in result.stderr


def test_import_without_activate_hints(
    node_cli: RunCli, service: str, make_archive: Callable[..., Path], emulator: Any
) -> None:
    archive = make_archive("v1")
    result = node_cli("generations", "import", service, str(archive))
    check(result)
    assert result.stdout == ""
    assert "Imported generation v1 into churn; not active yet" in result.stderr
    assert "switch-to churn v1" in result.stderr
    (listed,) = generations(node_cli, service)
    assert listed["generationId"] == "v1" and listed["mapped"] == 0


def test_import_with_activate_prints_the_generation(
    node_cli: RunCli, service: str, make_archive: Callable[..., Path]
) -> None:
    check(node_cli("generations", "import", service, str(make_archive("v1"))))
    result = node_cli("generations", "import", service, str(make_archive("v2")), "--activate")
    check(result)
    assert result.stdout == "v2\n"
    assert "not active yet" not in result.stderr
    assert "now serves generation v2" in result.stderr
    assert {g["generationId"]: g["mapped"] for g in generations(node_cli, service)} == {
        "v1": 0,
        "v2": 1,
    }


def test_import_activate_json_is_the_answer_with_the_generation(
    node_cli: RunCli, service: str, make_archive: Callable[..., Path]
) -> None:
    result = node_cli("generations", "import", service, str(make_archive("v1")), "--activate")
    check(result)
    result = node_cli(
        "generations", "import", service, str(make_archive("v2")), "--activate", "-o", "json"
    )
    check(result)
    assert json.loads(result.stdout) == {
        "ok": True,
        "generationId": "v2",
        "switchedToGeneration": "v2",
    }


def test_import_sends_an_absolute_path(
    node_cli: RunCli,
    service: str,
    make_archive: Callable[..., Path],
    emulator: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    archive = make_archive("v1")
    monkeypatch.chdir(archive.parent)
    emulator.clear_received()
    result = node_cli("generations", "import", service, "v1.zip")
    check(result)
    (sent,) = imports(emulator)
    assert sent["query"]["filePath"] == str(archive)
    assert "own disk" not in result.stderr  # a loopback node needs no reminder


def test_import_on_a_non_loopback_uri_reminds_of_the_node_s_disk(
    run_cli: RunCli, emulator: Any, make_archive: Callable[..., Path]
) -> None:
    # 0.0.0.0 reaches this machine on Linux but is not a loopback name for the tool.
    uri = f"http://0.0.0.0:{emulator.port}"
    env = {"APINODE_ADMIN_URI": uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}
    check(run_cli("services", "create", "churn", env=env))
    archive = make_archive("v1")
    result = run_cli("generations", "import", "churn", str(archive), env=env)
    check(result)
    assert result.stdout == ""
    assert f"the node reads {archive} from its own disk" in result.stderr


def test_import_of_a_missing_local_archive_exits_2(
    node_cli: RunCli, service: str, tmp_path: Path, emulator: Any
) -> None:
    emulator.clear_received()
    result = node_cli("generations", "import", service, str(tmp_path / "nope.zip"))
    check(result, 2)
    assert result.stdout == ""
    assert "does not exist" in result.stderr
    assert imports(emulator) == []


def test_import_of_a_non_zip_is_the_node_s_400(
    node_cli: RunCli, service: str, tmp_path: Path
) -> None:
    bogus = tmp_path / "v1.zip"
    bogus.write_text("not a zip")
    result = node_cli("generations", "import", service, str(bogus), "-o", "json")
    check(result, 1)
    assert result.stdout == ""
    error = json.loads(result.stderr.splitlines()[-1])["error"]
    assert error["status"] == 400
    assert error["errorType"].endswith("DKUIllegalArgumentException")


def test_import_twice_exits_6(
    node_cli: RunCli, service: str, make_archive: Callable[..., Path]
) -> None:
    archive = str(make_archive("v1"))
    check(node_cli("generations", "import", service, archive))
    result = node_cli("generations", "import", service, archive)
    check(result, 6)
    assert result.stdout == ""


def test_import_into_unknown_service_exits_5(
    node_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    result = node_cli("generations", "import", "nope", str(make_archive("v1")))
    check(result, 5)
    assert result.stdout == ""


def test_preload_mounts_the_generation(
    node_cli: RunCli, service: str, make_archive: Callable[..., Path]
) -> None:
    check(node_cli("generations", "import", service, str(make_archive("v1"))))
    assert generations(node_cli, service)[0]["mounted"] is False
    result = node_cli("generations", "preload", service, "v1")
    check(result)
    assert result.stdout == ""
    assert "Preloaded generation v1 of service churn." in result.stderr
    assert generations(node_cli, service)[0]["mounted"] is True


def test_preload_json_and_unknown_generation(
    node_cli: RunCli, service: str, make_archive: Callable[..., Path]
) -> None:
    check(node_cli("generations", "import", service, str(make_archive("v1"))))
    result = node_cli("generations", "preload", service, "v1", "--json")
    check(result)
    assert json.loads(result.stdout) == {"ok": True}
    result = node_cli("generations", "preload", service, "v9")
    check(result, 5)
    assert result.stdout == ""


def test_list_renders_dates_in_local_time_and_json_raw(
    node_cli: RunCli,
    service: str,
    make_archive: Callable[..., Path],
    five_hours_west: timezone,
) -> None:
    check(node_cli("generations", "import", service, str(make_archive("v1")), "--activate"))
    check(node_cli("generations", "import", service, str(make_archive("v2"))))
    raw = generations(node_cli, service)
    assert all(isinstance(g["createdOn"], int) for g in raw)
    local = [
        datetime.fromtimestamp(g["createdOn"] / 1000, five_hours_west).isoformat("T", "seconds")
        for g in raw
    ]
    assert all(text.endswith("-05:00") for text in local)

    result = node_cli("generations", "list", service, "-o", "tsv")
    check(result)
    assert result.stdout.splitlines() == [
        "GENERATION\tCREATED\tMOUNTED\tMAPPED %",
        f"v1\t{local[0]}\ttrue\t100%",
        f"v2\t{local[1]}\tfalse\t0%",
    ]
    result = node_cli("generations", "list", service, "-o", "plain", "--no-headers")
    check(result)
    assert [line.split() for line in result.stdout.splitlines()] == [
        ["v1", local[0], "true", "100%"],
        ["v2", local[1], "false", "0%"],
    ]
