"""`state diff` and `state apply` on one real emulator: each change alone, all of them, order,
idempotence (the journal), export then apply, and the JSON shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, check
from support.state import Archive, node_summary, set_mapping, setup_gens, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle

API = "/admin/api/services"


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def lines(text: str) -> list[str]:
    return text.splitlines()


# Each case: node set-up, state file (ARCHIVE(g) stands for g's archive path), extra options,
# the one plan line, the one write it sends, and the service afterwards.
CASES: dict[str, tuple[Any, ...]] = {
    "create": (
        lambda c, a: None,
        "[services.s]\n",
        (),
        "+ service s",
        ("POST", API),
        (True, {}, []),
    ),
    "import": (
        lambda c, a: setup_gens(c, a, "s"),
        '[services.s]\ngenerations = { g1 = "ARCHIVE(g1)" }\n',
        (),
        "+ s: import g1 from ARCHIVE(g1)",
        ("POST", f"{API}/s/generations/actions/importFromArchive"),
        (True, {"g1": 0.0}, []),
    ),
    "preload": (
        lambda c, a: setup_gens(c, a, "s", "g1"),
        '[services.s]\ngenerations = { g1 = "" }\npreload = ["g1"]\n',
        (),
        "~ s: preload g1",
        ("POST", f"{API}/s/generations/g1/preload"),
        (True, {"g1": 0.0}, ["g1"]),
    ),
    "set-mapping": (
        lambda c, a: (
            setup_gens(c, a, "s", "g1", "g2"),
            c.service("s").switch_to_single_generation("g1"),
        ),
        '[services.s]\ngenerations = { g1 = "", g2 = "" }\nmapping = { g1 = 0.5, g2 = "50%" }\n',
        (),
        "~ s: mapping g1 100% -> g1 50% g2 50%",
        ("POST", f"{API}/s/actions/setMapping"),
        (True, {"g1": 0.5, "g2": 0.5}, ["g1", "g2"]),
    ),
    "switch": (
        lambda c, a: (setup_gens(c, a, "s", "g1", "g2"), set_mapping(c, "s", g1=0.5, g2=0.5)),
        '[services.s]\ngenerations = { g1 = "", g2 = "" }\nactive = "g2"\n',
        (),
        "~ s: switch g1 50% g2 50% -> g2",
        ("POST", f"{API}/s/actions/switchTo/g2"),
        (True, {"g1": 0.0, "g2": 1.0}, ["g1", "g2"]),
    ),
    "enable": (
        lambda c, a: (c.create_service("s"), c.service("s").disable()),
        "[services.s]\n",
        (),
        "~ s: enable",
        ("POST", f"{API}/s/actions/enable"),
        (True, {}, []),
    ),
    "disable": (
        lambda c, a: c.create_service("s"),
        "[services.s]\nenabled = false\n",
        (),
        "~ s: disable",
        ("POST", f"{API}/s/actions/disable"),
        (False, {}, []),
    ),
    "delete": (
        lambda c, a: (c.create_service("s"), c.create_service("old")),
        "[services.s]\n",
        ("--prune",),
        "- service old (prune)",
        ("DELETE", f"{API}/old"),
        (True, {}, []),
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_of_change_alone(
    kind: str,
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Archive,
    node_cli: RunCli,
    tmp_path: Path,
) -> None:
    set_up, text, options, line, request, after = CASES[kind]
    set_up(client, archive)
    path = write(tmp_path / "state.toml", text.replace("ARCHIVE(g1)", archive("g1")))
    line = line.replace("ARCHIVE(g1)", archive("g1"))

    emulator.clear_received()
    diff = node_cli("state", "diff", "-f", path, *options, "--exit-code")
    check(diff, 8)
    assert lines(diff.stdout) == [line]
    assert writes(emulator) == []

    applied = node_cli("state", "apply", "-f", path, *options, "-y")
    check(applied)
    assert applied.stdout == ""
    assert f"done: {line} (" in applied.stderr
    assert "Apply complete: 1 change done." in applied.stderr
    assert writes(emulator) == [request]
    assert node_summary(client)["s"] == after

    again = node_cli("state", "diff", "-f", path, *options, "--exit-code")
    check(again)
    assert again.stdout == "No changes.\n"


def combined_file(archive: Archive) -> str:
    return f"""
[services.churn]
generations = {{ v1 = "", v2 = "{archive("v2")}" }}
mapping = {{ v1 = 0.9, v2 = "10%" }}
preload = ["v2"]

[services.fraud]
enabled = false
active = "f3"
generations = {{ f3 = "{archive("f3")}" }}

[services.score]
active = "s1"
generations = {{ s1 = "" }}
"""


def combined_node(client: APINodeAdminClient, archive: Archive) -> None:
    setup_gens(client, archive, "churn", "v1")
    client.service("churn").switch_to_single_generation("v1")
    client.service("churn").disable()
    setup_gens(client, archive, "score", "s1")
    client.service("score").switch_to_single_generation("s1")
    client.service("score").disable()
    client.create_service("old")


def combined_plan(archive: Archive) -> list[str]:
    return [
        "+ service fraud",
        f"+ churn: import v2 from {archive('v2')}",
        f"+ fraud: import f3 from {archive('f3')}",
        "~ churn: preload v2",
        "~ churn: mapping v1 100% -> v1 90% v2 10%",
        "~ fraud: switch none -> f3",
        "~ fraud: disable",
        "~ score: enable",
        "- service old (prune)",
    ]


COMBINED_WRITES = [
    ("POST", API),
    ("POST", f"{API}/churn/generations/actions/importFromArchive"),
    ("POST", f"{API}/fraud/generations/actions/importFromArchive"),
    ("POST", f"{API}/churn/generations/v2/preload"),
    ("POST", f"{API}/churn/actions/setMapping"),
    ("POST", f"{API}/fraud/actions/switchTo/f3"),
    ("POST", f"{API}/fraud/actions/disable"),
    ("POST", f"{API}/score/actions/enable"),
    ("DELETE", f"{API}/old"),
]


def test_every_kind_together_runs_in_plan_order_then_never_writes_again(
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Archive,
    node_cli: RunCli,
    tmp_path: Path,
) -> None:
    combined_node(client, archive)
    path = write(tmp_path / "prod.toml", combined_file(archive))
    plan = combined_plan(archive)

    emulator.clear_received()
    diff = node_cli("state", "diff", "-f", path, "--prune")
    check(diff)
    assert lines(diff.stdout) == plan
    without_prune = node_cli("state", "diff", "-f", path)
    assert lines(without_prune.stdout) == plan[:-1]
    assert "note: 1 service on the node not in the file, left alone: old" in without_prune.stderr
    assert writes(emulator) == []

    applied = node_cli("state", "apply", "-f", path, "--prune", "-y", "--parallelism", "1")
    check(applied)
    err = lines(applied.stderr)
    assert err[: len(plan)] == plan  # the plan first, on stderr
    done = [line.split(" (")[0] for line in err if line.startswith("done: ")]
    assert done == [f"done: {line}".split(" (")[0] for line in plan]
    assert writes(emulator) == COMBINED_WRITES
    assert node_summary(client) == {
        "churn": (True, {"v1": 0.9, "v2": 0.1}, ["v1", "v2"]),
        "fraud": (False, {"f3": 1.0}, ["f3"]),
        "score": (True, {"s1": 1.0}, ["s1"]),
    }

    emulator.clear_received()
    # Off a terminal and without -y: nothing to change asks nothing and succeeds.
    again = node_cli("state", "apply", "-f", path, "--prune")
    check(again)
    assert again.stdout == "" and lines(again.stderr) == ["No changes."]
    assert writes(emulator) == []


def test_export_then_apply_of_the_export_sends_no_write(
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Archive,
    node_cli: RunCli,
    tmp_path: Path,
) -> None:
    combined_node(client, archive)
    exported = node_cli("state", "export")
    check(exported)
    assert exported.stdout.startswith("[services.churn]\nenabled = false\n")
    path = write(tmp_path / "exported.toml", exported.stdout)
    as_json = node_cli("state", "export", "-o", "json")
    check(as_json)
    json_path = write(tmp_path / "exported.json", as_json.stdout)
    assert json.loads(as_json.stdout)["services"]["churn"] == {
        "enabled": False,
        "generations": {"v1": ""},
        "active": "v1",
    }

    emulator.clear_received()
    for name in (path, json_path):
        check(node_cli("state", "apply", "-f", name, "--prune", "-y"))
    assert writes(emulator) == []
    only = node_cli("state", "export", "score", "old")
    check(only)
    assert only.stdout == (
        '[services.score]\nenabled = false\ngenerations = { s1 = "" }\nactive = "s1"\n'
        "\n[services.old]\nenabled = true\n"
    )


def test_export_of_a_service_the_node_lacks_exits_5(node_cli: RunCli) -> None:
    result = node_cli("state", "export", "nope")
    check(result, 5)
    assert "service 'nope' not found on the node" in result.stderr
    assert result.stdout == ""


def test_json_shapes_of_diff_and_apply(
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Archive,
    node_cli: RunCli,
    tmp_path: Path,
) -> None:
    combined_node(client, archive)
    path = write(tmp_path / "prod.toml", combined_file(archive))
    diff = node_cli("state", "diff", "-f", path, "-o", "json")
    check(diff)
    shown = json.loads(diff.stdout)
    assert shown["unmanaged"] == ["old"]
    assert shown["changes"][0] == {"service": "fraud", "action": "create", "detail": ""}
    assert shown["changes"][4] == {
        "service": "churn",
        "action": "set-mapping",
        "detail": "v1 100% -> v1 90% v2 10%",
    }
    assert [c["action"] for c in shown["changes"]] == [
        "create", "import", "import", "preload", "set-mapping", "switch", "disable", "enable",
    ]  # fmt: skip

    applied = node_cli("state", "apply", "-f", path, "-y", "--json")
    check(applied)
    result = json.loads(applied.stdout)
    assert result["ok"] is True and result["exitCode"] == 0
    assert [{k: c[k] for k in ("service", "action", "detail")} for c in result["changes"]] == (
        shown["changes"]
    )
    assert {c["status"] for c in result["changes"]} == {"done"}

    again = node_cli("state", "apply", "-f", path, "-y", "-o", "json")
    check(again)
    assert json.loads(again.stdout) == {"ok": True, "exitCode": 0, "changes": []}
    assert json.loads(node_cli("state", "diff", "-f", path, "--json").stdout) == {
        "changes": [],
        "unmanaged": ["old"],
    }


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_the_file_may_come_from_stdin(
    fmt: str, client: APINodeAdminClient, node_cli: RunCli
) -> None:
    text = '{"services": {"s": {}}}' if fmt == "json" else "[services.s]\n"
    result = node_cli("state", "apply", "-f", "-", "-y", input=text)
    check(result)
    assert "done: + service s" in result.stderr
    assert list(node_summary(client)) == ["s"]


def test_a_remote_node_is_reminded_once_that_it_reads_the_archives_from_its_own_disk(
    emulator: EmulatorHandle, archive: Archive, run_cli: RunCli, tmp_path: Path
) -> None:
    # 0.0.0.0 reaches the emulator but is not loopback: the tool takes it for another machine.
    env = {
        "APINODE_ADMIN_URI": f"http://0.0.0.0:{emulator.port}",
        "APINODE_ADMIN_API_KEY": emulator.admin_key,
    }
    text = f'[services.s]\ngenerations = {{ g1 = "{archive("g1")}", g2 = "{archive("g2")}" }}\n'
    path = write(tmp_path / "state.toml", text)
    reminder = "the node reads the archive paths of the state file from its own disk"

    diff = run_cli("state", "diff", "-f", path, env=env)
    check(diff)
    assert reminder not in diff.stderr  # a diff reads no archive
    applied = run_cli("state", "apply", "-f", path, "-y", env=env)
    check(applied)
    assert applied.stderr.count(reminder) == 1, applied.stderr
    again = run_cli("state", "apply", "-f", path, "-y", env=env)
    check(again)
    assert reminder not in again.stderr  # nothing to import
