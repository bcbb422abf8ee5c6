"""`state` commands refusing bad input before any request, stopping at a failure, confirming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import RunCli, check
from support.state import Archive, node_summary, on_terminal, writes

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle

# (file name, text, the message after "Error: state file NAME: ")
BAD_FILES = {
    "toml syntax": (
        "s.toml",
        "[services.churn\n",
        "invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 16)",
    ),
    "json syntax": (
        "s.json",
        '{"services": {,}}',
        "invalid JSON at line 1, column 15: Expecting property name enclosed in double quotes",
    ),
    "json NaN": (
        "s.json",
        '{"services": {"s": {"mapping": {"a": NaN}}}}',
        "invalid JSON at line 1, column 38: NaN is not a number in strict JSON",
    ),
    "json duplicate key": (
        "s.json",
        '{"services": {"s": {}, "s": {}}}',
        "invalid JSON: key 's' appears twice in one object",
    ),
    "unknown key": (
        "s.toml",
        "[services.churn]\nmapin = {}\n",
        "services.churn.mapin: unknown key "
        "(expected one of: enabled, generations, active, mapping, preload)",
    ),
    "type": (
        "s.toml",
        '[services.churn]\nenabled = "yes"\n',
        "services.churn.enabled: must be true or false, not a string",
    ),
    "mapping sum": (
        "s.toml",
        '[services.churn]\ngenerations = { a = "/x/a.zip", b = "/x/b.zip" }\n'
        "mapping = { a = 0.6, b = 0.5 }\n",
        "services.churn.mapping: the probabilities sum to 1.1, not 1",
    ),
    "active and mapping": (
        "s.toml",
        '[services.churn]\ngenerations = { a = "/x/a.zip" }\nmapping = { a = 1 }\nactive = "a"\n',
        "services.churn: give `active` or `mapping`, not both",
    ),
    "undeclared generation": (
        "s.toml",
        '[services.churn]\ngenerations = { a = "/x/a.zip" }\nmapping = { a = 0.5, v3 = 0.5 }\n',
        "services.churn.mapping.v3: generation 'v3' is not declared in services.churn.generations",
    ),
    "undeclared preload": (
        "s.toml",
        '[services.churn]\npreload = ["z"]\n',
        "services.churn.preload.0: generation 'z' is not declared in services.churn.generations",
    ),
    "relative path": (
        "s.toml",
        '[services.churn]\ngenerations = { a = "x/a.zip" }\n',
        "services.churn.generations.a: archive path 'x/a.zip' must be absolute",
    ),
    "bad service id": (
        "s.toml",
        '[services.".."]\n',
        "services.\"..\": invalid service id: '..' cannot be an id",
    ),
    "several faults": (
        "s.toml",
        "[services.churn]\nmapin = 1\nenabled = 3\n",
        "services.churn.mapin: unknown key "
        "(expected one of: enabled, generations, active, mapping, preload) (and 1 more problem)",
    ),
    "no services table": (
        "s.toml",
        "title = 'prod'\n",
        "title: unknown key (expected one of: services, deployments)",
    ),
}


@pytest.mark.parametrize("command", ["diff", "apply"])
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_refused_before_any_request(
    case: str, command: str, emulator: EmulatorHandle, node_cli: RunCli, tmp_path: Path
) -> None:
    name, text, message = BAD_FILES[case]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    yes = ["-y"] if command == "apply" else []
    result = node_cli("state", command, "-f", str(path), *yes)
    check(result, 2)
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"Error: state file {path}: {message}"), result.stderr
    assert emulator.received == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read state file {path}: No such file or directory"),
        (b"[services.\xff]\n", "state file {path} is not UTF-8 text (byte 10)"),
        (b"#" * (16 * 1024 * 1024 + 1), "state file {path} is larger than 16 MiB"),
    ],
    ids=["missing", "not utf-8", "too large"],
)
def test_an_unreadable_file_is_refused_before_any_request(
    content: bytes, message: str, emulator: EmulatorHandle, node_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "prod.toml"
    if content is not None:
        path.write_bytes(content)
    result = node_cli("state", "apply", "-f", str(path), "-y")
    check(result, 2)
    assert result.stderr.startswith(f"Error: {message.format(path=path)}"), result.stderr
    assert emulator.received == []


def test_a_must_exist_generation_the_node_lacks_is_refused_before_any_write(
    emulator: EmulatorHandle, client: APINodeAdminClient, node_cli: RunCli, tmp_path: Path
) -> None:
    client.create_service("churn")
    path = tmp_path / "prod.toml"
    path.write_text('[services.churn]\ngenerations = { v9 = "" }\n[services.new]\n')
    emulator.clear_received()
    result = node_cli("state", "apply", "-f", str(path), "-y")
    check(result, 2)
    assert (
        "services.churn.generations.v9: generation 'v9' is declared \"\" (must already exist) "
        "but service 'churn' has no such generation on the node"
    ) in result.stderr
    assert writes(emulator) == []
    assert list(node_summary(client)) == ["churn"]


def test_a_missing_archive_on_a_local_node_is_refused_before_any_write(
    emulator: EmulatorHandle, node_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "prod.toml"
    missing = tmp_path / "nowhere" / "v1.zip"
    path.write_text(f'[services.churn]\ngenerations = {{ v1 = "{missing}" }}\n')
    result = node_cli("state", "apply", "-f", str(path), "-y")
    check(result, 2)
    assert f"Error: {missing} does not exist" in result.stderr
    assert writes(emulator) == []


def canary_file(archive: Archive) -> str:
    return f"""
[services.churn]
generations = {{ v1 = "{archive("v1")}", v2 = "{archive("v2")}" }}
mapping = {{ v1 = 0.9, v2 = 0.1 }}

[services.fraud]
enabled = false
active = "f3"
generations = {{ f3 = "{archive("f3")}" }}
"""


@pytest.mark.parametrize(("status", "code"), [(500, 7), (403, 4)])
def test_a_failure_stops_the_node_and_a_second_apply_finishes_the_work(
    status: int,
    code: int,
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Archive,
    node_cli: RunCli,
    tmp_path: Path,
) -> None:
    path = tmp_path / "prod.toml"
    path.write_text(canary_file(archive))
    emulator.add_fault(
        method="POST", path="/admin/api/services/churn/actions/setMapping", status=status
    )
    # One change at a time: which changes of fraud ran before churn failed is then known.
    one_by_one = ("--parallelism", "1")
    failed = node_cli(
        "--retries", "1", "state", "apply", "-f", str(path), "-y", "-o", "json", *one_by_one
    )
    check(failed, code)
    err = failed.stderr.splitlines()
    assert [line.split(" (")[0] for line in err if line.startswith("done: ")] == [
        "done: + service churn",
        "done: + service fraud",
        f"done: + churn: import v1 from {archive('v1')}",
        f"done: + churn: import v2 from {archive('v2')}",
        f"done: + fraud: import f3 from {archive('f3')}",
    ]
    assert any(
        line.startswith("failed: ~ churn: mapping none -> v1 90% v2 10%: ")
        and f"HTTP {status}" in line
        for line in err
    ), failed.stderr
    assert [line for line in err if line.startswith("not run: ")] == [
        "not run: ~ fraud: switch none -> f3",
        "not run: ~ fraud: disable",
    ]
    assert "Error: apply stopped at `~ churn: mapping none -> v1 90% v2 10%`" in failed.stderr
    assert "Hint: 5 changes done, 2 not run" in failed.stderr
    assert "Apply complete" not in failed.stderr
    shown = json.loads(failed.stdout)
    assert shown["ok"] is False and shown["exitCode"] == code
    assert [c["status"] for c in shown["changes"]] == ["done"] * 5 + ["failed"] + ["not run"] * 2
    assert shown["changes"][5]["error"]["exitCode"] == code

    emulator.clear_received()
    finished = node_cli("state", "apply", "-f", str(path), "-y", *one_by_one)
    check(finished)
    assert writes(emulator) == [
        ("POST", "/admin/api/services/churn/actions/setMapping"),
        ("POST", "/admin/api/services/fraud/actions/switchTo/f3"),
        ("POST", "/admin/api/services/fraud/actions/disable"),
    ]
    assert node_cli("state", "diff", "-f", str(path)).stdout == "No changes.\n"


def test_quiet_still_says_what_failed_and_what_did_not_run(
    emulator: EmulatorHandle, archive: Archive, node_cli: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "prod.toml"
    path.write_text(canary_file(archive))
    emulator.add_fault(
        method="POST", path="/admin/api/services/churn/actions/setMapping", status=500
    )
    failed = node_cli(
        "-q", "--retries", "1", "state", "apply", "-f", str(path), "-y", "--parallelism", "1"
    )  # fmt: skip
    check(failed, 7)
    assert failed.stdout == ""
    # -q hides the progress, not the lines that say where the node was left.
    assert failed.stderr.splitlines()[:3] == [
        "failed: ~ churn: mapping none -> v1 90% v2 10%: Injected fault: HTTP 500",
        "not run: ~ fraud: switch none -> f3",
        "not run: ~ fraud: disable",
    ]
    assert "done: " not in failed.stderr
    assert "Error: apply stopped at `~ churn: mapping none -> v1 90% v2 10%`" in failed.stderr


def test_prune_asks_on_a_terminal_and_needs_yes_elsewhere(
    emulator: EmulatorHandle, client: APINodeAdminClient, node_cli: RunCli, tmp_path: Path
) -> None:
    for sid in ("keep", "old"):
        client.create_service(sid)
    path = tmp_path / "prod.toml"
    path.write_text("[services.keep]\n")
    emulator.clear_received()
    env = {"APINODE_ADMIN_URI": emulator.uri, "APINODE_ADMIN_API_KEY": emulator.admin_key}

    refused = node_cli("state", "apply", "-f", str(path), "--prune")
    check(refused, 2)
    assert refused.stderr.splitlines()[0] == "- service old (prune)"
    assert "Error: refusing to apply 1 change without confirmation: pass -y/--yes" in (
        refused.stderr
    )

    declined = on_terminal(["-q", "state", "apply", "-f", str(path), "--prune"], "n\n", env)
    check(declined, 1)
    # Even with -q, the plan is shown to the person asked to confirm it.
    # (click 8.1 writes the prompt's last space apart: the test does not depend on it)
    assert declined.stderr.startswith("- service old (prune)\nApply 1 change? [y/N]:")
    assert "Error: cancelled: nothing was changed" in declined.stderr
    assert writes(emulator) == []
    assert list(node_summary(client)) == ["keep", "old"]

    accepted = on_terminal(["state", "apply", "-f", str(path), "--prune"], "y\n", env)
    check(accepted)
    assert accepted.stderr.count("?") == 1
    assert "done: - service old (prune)" in accepted.stderr
    assert writes(emulator) == [("DELETE", "/admin/api/services/old")]
    assert list(node_summary(client)) == ["keep"]

    # Nothing left to do: no question at all, even on a terminal.
    quiet = on_terminal(["state", "apply", "-f", str(path), "--prune"], "", env)
    check(quiet)
    assert "?" not in quiet.stderr and quiet.stderr == "No changes.\n"


def test_without_prune_unmanaged_services_are_left_alone(
    emulator: EmulatorHandle, client: APINodeAdminClient, node_cli: RunCli, tmp_path: Path
) -> None:
    client.create_service("old")
    path = tmp_path / "prod.toml"
    path.write_text("[services]\n")
    result = node_cli("state", "apply", "-f", str(path), "-y")
    check(result)
    assert result.stderr == (
        "No changes.\nnote: 1 service on the node not in the file, left alone: old "
        "(apply --prune deletes them)\n"
    )
    assert list(node_summary(client)) == ["old"]


def test_a_failed_change_s_error_is_json_escaped_once_and_scrubbed(
    emulator: EmulatorHandle, node_cli: RunCli, tmp_path: Path
) -> None:
    hostile = "bad \x1b]0;pwned\x07\x1b[2J\u009b31m input"
    key = emulator.admin_key
    emulator.add_fault(
        method="POST",
        path="/admin/api/services",
        status=400,
        body={"errorType": f"Bad {key}", "message": hostile},
    )
    path = tmp_path / "prod.toml"
    path.write_text("[services.churn]\n")
    result = node_cli("state", "apply", "-f", str(path), "-y", "-o", "json")
    check(result, 1)
    assert "\x1b" not in result.stdout and "\u009b" not in result.stdout  # inert in a terminal
    # As in the error object: the node's text intact, escaped by JSON alone.
    change = json.loads(result.stdout)["changes"][0]
    assert change["status"] == "failed" and change["error"]["message"] == hostile
    assert key not in result.stdout
