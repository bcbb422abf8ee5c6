"""Replay scripts written for Dataiku's own apinode-admin against the emulator.

Each expected output is a fixture in ``fixtures/compat/`` written from the original tool's
documented formats (``$name`` marks a value only known at run time, such as a new secret).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from string import Template
from typing import Any, Callable

import pytest
from support.cli import RunProc, check

from apinode_admin_cli.cli import COMMANDS, COMPAT_COMMANDS
from apinode_admin_cli.cli.compat import EQUIVALENTS
from apinode_admin_cli.client import APINodeAdminClient

FIXTURES = Path(__file__).parent / "fixtures"
MAPPING_70_30 = (
    '{"entries": [{"generation": "v1", "proba": 0.7}, {"generation": "v2", "proba": 0.3}]}'
)
FIXED_CREATED_ON = 1767225600123  # 2026-01-01 00:00:00.123 UTC
SECRET = re.compile(r"^[A-Za-z0-9_\-]{16,}$")


def expected(name: str, **values: str) -> str:
    return Template((FIXTURES / f"{name}.txt").read_text(encoding="utf-8")).substitute(values)


@pytest.fixture
def utc(local_tz: Callable[[str], None]) -> None:
    """Local time is UTC, so that the original's local-time dates are predictable."""
    local_tz("UTC")


@pytest.fixture
def admin(emulator: Any) -> APINodeAdminClient:
    return APINodeAdminClient(emulator.uri, emulator.admin_key)


@pytest.fixture
def deployed(
    emulator: Any, admin: APINodeAdminClient, make_archive: Callable[..., Path]
) -> dict[str, Path]:
    """Service churn with generations v1 and v2 imported (none active yet)."""
    admin.create_service("churn")
    archives = {name: make_archive(name) for name in ("v1", "v2")}
    for path in archives.values():
        admin.service("churn").import_generation_from_archive(str(path))
    return archives


def test_a_deployment_script_prints_what_the_original_printed(
    node_cli: Any,
    emulator: Any,
    make_archive: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
    utc: None,
) -> None:
    import apinode_admin_cli.emulator.admin_services as emulated_services

    monkeypatch.setattr(emulated_services, "now_ms", lambda: FIXED_CREATED_ON)
    v1, v2 = make_archive("v1"), make_archive("v2")

    steps: list[tuple[tuple[str, ...], str, dict[str, str], Any]] = [
        (("service-create", "churn"), "service-create", {}, None),
        (("service-create", "fraud"), "", {}, None),
        (("service-disable", "fraud"), "service-disable", {}, None),
        (("services-list",), "services-list", {}, None),
        (("services-list", "--no-header"), "services-list--no-header", {}, None),
        (
            ("service-import-generation", "churn", str(v1)),
            "service-import-generation",
            {"archive": str(v1)},
            None,
        ),
        (("service-import-generation", "churn", str(v2)), "", {}, None),
        (("service-preload-generation", "churn", "v1"), "service-preload-generation", {}, None),
        (("service-switch-to-newest", "churn"), "service-switch-to-newest", {}, None),
        (("service-switch-to-generation", "churn", "v1"), "service-switch-to-generation", {}, None),
        (("service-set-mapping", "churn"), "service-set-mapping", {}, MAPPING_70_30),
        (("service-enable", "churn"), "service-enable", {}, None),
        (("service-list-generations", "churn"), "service-list-generations", {}, None),
        (
            ("service-list-generations", "churn", "--no-header"),
            "service-list-generations--no-header",
            {},
            None,
        ),
    ]
    for args, fixture, values, stdin in steps:
        result = node_cli(*args, input=stdin)
        check(result)
        if fixture:
            assert result.stdout == expected(fixture, **values), args

    clean = node_cli("services-clean")
    check(clean)
    assert clean.stdout == expected("services-clean")

    deleted = node_cli("service-delete", "churn")
    check(deleted)
    assert deleted.stdout == ""  # the original prints nothing and never asks
    assert node_cli("services-list", "--no-header").stdout == "\n"


def test_import_generation_hints_on_stderr_that_nothing_is_active_yet(
    node_cli: Any, make_archive: Callable[..., Path], admin: APINodeAdminClient
) -> None:
    admin.create_service("churn")
    result = node_cli("service-import-generation", "churn", str(make_archive("v1")))
    check(result)
    assert "not active yet" in result.stderr
    assert "not active" not in result.stdout


def test_admin_key_commands_print_the_original_text(node_cli: Any, emulator: Any) -> None:
    created = node_cli("admin-key-create", "--label", "ci", "--description", "CI pipelines")
    check(created)
    key = created.stdout.splitlines()[-1].strip()
    assert SECRET.match(key), created.stdout
    assert created.stdout == expected("admin-key-create", key=key)

    bare = node_cli("admin-key-create", "--no-header")
    check(bare)
    other = bare.stdout.strip()
    assert bare.stdout == expected("admin-key-create--no-header", key=other)

    listed = node_cli("admin-keys-list")
    check(listed)
    assert listed.stdout == expected("admin-keys-list")
    bare_list = node_cli("admin-keys-list", "--no-header")
    check(bare_list)
    assert bare_list.stdout.split() == expected("admin-keys-list").split()[4:]
    assert key not in listed.stdout

    # The original dropped --description; this one sends it.
    keys = {k["label"]: k for k in APINodeAdminClient(emulator.uri, key).auth().list_keys()}
    assert keys["ci"]["description"] == "CI pipelines"

    for args, fixture in [
        (("admin-key-delete", key), "admin-key-delete"),
        (("admin-key-delete", key), "admin-key-delete--unknown"),
        (("admin-key-delete", other, "--output", "json"), "admin-key-delete--output-json"),
        (
            ("admin-key-delete", other, "--output", "json"),
            "admin-key-delete--unknown--output-json",
        ),
    ]:
        result = node_cli(*args)
        check(result)  # an unknown key exits 0: scripts rely on it
        assert result.stdout == expected(fixture), args
        assert result.stderr == ""


def test_ansible_get_credentials_flow_reads_the_json_it_expects(node_cli: Any) -> None:
    """The steps of dataiku's dss_get_credentials module: list, delete the old key, create."""
    first = node_cli("admin-key-create", "--output", "json", "--label", "dss-ansible-admin")
    check(first)
    assert first.stdout.count("\n") == 1
    created = json.loads(first.stdout)
    assert isinstance(created, dict) and SECRET.match(created["key"])
    assert created["label"] == "dss-ansible-admin"

    listed = node_cli("admin-keys-list", "--output", "json")
    check(listed)
    keys = json.loads(listed.stdout)
    assert isinstance(keys, list) and listed.stdout.count("\n") == 1
    mine = [k for k in keys if k.get("label") == "dss-ansible-admin"]
    assert len(mine) == 1
    # A hashing node never returns the secret: the module then deletes by id.
    assert mine[0]["key"] == "******" and mine[0]["id"]

    deleted = node_cli("admin-key-delete-by-id", mine[0]["id"])
    check(deleted)
    assert deleted.stdout == "OK\n"
    again = node_cli("admin-key-delete-by-id", mine[0]["id"])
    check(again)
    assert again.stdout == "KEY NOT FOUND\n"

    second = node_cli("admin-key-create", "--output", "json", "--label", "dss-ansible-admin")
    check(second)
    assert json.loads(second.stdout)["key"] != created["key"]


@pytest.mark.parametrize("output", ["fancy", "json"])
def test_a_node_that_says_key_not_found_with_a_500_is_still_key_not_found(
    node_cli: Any, emulator: Any, output: str
) -> None:
    body = json.dumps(
        {"errorType": "java.lang.IllegalArgumentException", "message": "Key to delete not found"}
    )
    emulator.add_fault(method="DELETE", path="/admin/api/keys/", status=500, body=body)
    result = node_cli("admin-key-delete", "no-such-key", "--output", output)
    check(result)
    assert result.stdout == ("KEY NOT FOUND\n" if output == "fancy" else '{"result":false}\n')


def test_other_failures_of_a_key_deletion_are_not_swallowed(node_cli: Any, emulator: Any) -> None:
    body = json.dumps({"errorType": "java.io.IOException", "message": "Disk full"})
    emulator.add_fault(method="DELETE", path="/admin/api/keys/", status=500, body=body)
    result = node_cli("admin-key-delete-by-id", "some-id")
    check(result, 7)
    assert result.stdout == ""
    assert "Disk full" in result.stderr


def test_json_output_is_one_line_with_pythons_default_separators(
    node_cli: Any, emulator: Any
) -> None:
    result = node_cli("admin-key-create", "--output", "json", "--label", "x")
    check(result)
    assert result.stdout == json.dumps(json.loads(result.stdout)) + "\n"
    assert '", "' in result.stdout

    cleaned = node_cli("services-clean", "--output", "json")
    check(cleaned)
    assert cleaned.stdout == json.dumps(json.loads(cleaned.stdout)) + "\n"
    assert json.loads(cleaned.stdout)["ok"] is True

    metrics = node_cli("metrics-get")
    check(metrics)
    data = json.loads(metrics.stdout)
    assert isinstance(data, dict)
    assert metrics.stdout == json.dumps(data) + "\n"


def test_set_mapping_checks_stdin_before_sending(
    node_cli: Any, emulator: Any, deployed: Any
) -> None:
    emulator.clear_received()
    for bad in ("", "not json", '{"entries": [{"generation": "v1", "proba": 0.5}]}'):
        result = node_cli("service-set-mapping", "churn", input=bad)
        check(result, 2)
        assert result.stdout == ""
        assert result.stderr.startswith("Error: ")
    assert not [r for r in emulator.received if "setMapping" in r["path"]]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("service-create", "churn"), 6),  # already exists
        (("service-enable", "nope"), 5),
        (("service-switch-to-generation", "churn", "v9"), 5),
        (("service-list-generations", "nope"), 5),
        (("service-delete", "nope"), 5),
    ],
)
def test_failures_use_the_trees_exit_codes_and_keep_stdout_empty(
    node_cli: Any, deployed: Any, args: tuple[str, ...], code: int
) -> None:
    result = node_cli(*args)
    check(result, code)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")


def test_the_tree_settings_are_required(run_cli: Any) -> None:
    result = run_cli("services-list")
    check(result, 3)
    assert "APINODE_ADMIN_URI" in result.stderr
    assert result.stdout == ""


def test_a_wrong_admin_key_exits_4(emulator: Any, run_cli: Any) -> None:
    env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": "not-a-key"}
    result = run_cli("admin-keys-list", "--output", "json", env=env)
    check(result, 4)
    assert result.stdout == ""
    assert json.loads(result.stderr.splitlines()[-1])["error"]["status"] == 401
    assert "not-a-key" not in result.stderr


def test_compat_lists_every_original_command_with_its_modern_equivalent(run_cli: Any) -> None:
    originals = {row[0].split()[0] for row in EQUIVALENTS}
    assert set(COMPAT_COMMANDS) <= originals
    assert "predict" in originals
    printed = run_cli("compat")
    check(printed)
    helped = run_cli("compat", "--help")
    check(helped)
    for original, modern, _ in EQUIVALENTS:
        assert original in printed.stdout and modern in printed.stdout
        assert original in helped.stdout and modern in helped.stdout


def test_original_names_stay_out_of_the_main_help(run_cli: Any) -> None:
    result = run_cli("--help")
    check(result)
    assert "compat" in result.stdout
    for name in COMPAT_COMMANDS:
        assert name not in result.stdout
    assert set(COMPAT_COMMANDS).isdisjoint(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMPAT_COMMANDS))
def test_each_original_command_has_help_with_an_example(run_cli: Any, name: str) -> None:
    result = run_cli(name, "--help")
    check(result)
    assert "Example" in result.stdout
    assert "modern" in result.stdout.lower()


def test_scripts_calling_the_real_executable_get_the_same_text(
    emulator: Any, run_proc: RunProc
) -> None:
    node = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return run_proc(*args, env=node, input=stdin, timeout=60)  # type: ignore[no-any-return]

    created = run("service-create", "churn")
    assert created.returncode == 0, created.stderr
    assert created.stdout == expected("service-create")

    key = run("admin-key-create", "--output", "json", "--label", "ansible")
    assert key.returncode == 0, key.stderr
    assert SECRET.match(json.loads(key.stdout)["key"])

    missing = run("admin-key-delete", "no-such-key")
    assert missing.returncode == 0, missing.stderr
    assert missing.stdout == expected("admin-key-delete--unknown")

    bad = run("service-set-mapping", "churn", stdin='{"entries": []}')
    assert bad.returncode == 2, bad.stderr
    assert bad.stdout == "" and bad.stderr.startswith("Error: ")
