"""Every node command on every node of a fleet: outputs, JSON shapes, exit codes, skipping."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from click.testing import CliRunner
from support.cli import RunCli, check

from apinode_admin_cli.cli import cli
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.terminal import Terminal


def services_on(fleet: Any, name: str) -> list[str]:
    return sorted(fleet.node(name).app.store.read()["services"])


def test_a_read_merges_rows_under_node_in_fleet_order(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, run_cli: RunCli
) -> None:
    make_fleet("b-node", "a-node", latency={"b-node": 150})
    check(run_cli("--profile", "a-node", "services", "create", "only-a"))
    check(fleet_cli("services", "create", "churn"))
    result = fleet_cli("services", "list", "-o", "tsv")
    check(result)
    lines = result.stdout.splitlines()
    # b-node answers last but comes first: fleet order, then the node's own order.
    assert lines == [
        "NODE\tSERVICE\tENABLED",
        "b-node\tchurn\ttrue",
        "a-node\tchurn\ttrue",
        "a-node\tonly-a\ttrue",
    ]
    assert result.stderr == ""  # a read's rows speak for it: no progress lines
    plain = fleet_cli("services", "list", "-o", "plain")
    check(plain)
    assert plain.stdout.splitlines()[0].split() == ["NODE", "SERVICE", "ENABLED"]


def test_json_is_one_object_per_node_with_the_single_node_answer(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, run_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2")
    check(fleet_cli("services", "create", "churn"))
    single = run_cli("--profile", "n2", "services", "list", "-o", "json")
    check(single)
    result = fleet_cli("services", "list", "-o", "json")
    check(result)
    assert json.loads(result.stdout) == [
        {
            "node": "n1",
            "uri": fleet.uris["n1"],
            "outcome": "ok",
            "result": json.loads(single.stdout),
        },
        {
            "node": "n2",
            "uri": fleet.uris["n2"],
            "outcome": "ok",
            "result": json.loads(single.stdout),
        },
    ]
    action = fleet_cli("services", "disable", "churn", "--json")
    check(action)
    assert [item["result"] for item in json.loads(action.stdout)] == [{"ok": True}, {"ok": True}]


def test_an_action_reports_a_row_and_a_progress_line_per_node(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    fleet = make_fleet("n1", "n2", "n3")
    check(fleet_cli("services", "create", "churn"))
    archive = make_archive("v1")
    result = fleet_cli("generations", "import", "churn", str(archive), "--activate", "-o", "tsv")
    check(result)
    assert result.stdout.splitlines() == [
        "NODE\tOUTCOME\tDETAIL",
        "n1\tok\tv1",
        "n2\tok\tv1",
        "n3\tok\tv1",
    ]
    progress = sorted(line.split(":")[0] for line in result.stderr.splitlines())
    assert progress == ["n1", "n2", "n3"]
    assert all(" ok (" in line for line in result.stderr.splitlines())
    for name in ("n1", "n2", "n3"):
        service = fleet.node(name).app.store.read()["services"]["churn"]
        assert list(service["generations"]) == ["v1"]


def test_remote_nodes_are_reminded_of_their_own_disk_once_for_the_fleet(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    fleet = make_fleet("n1", "n2", "n3")
    # 0.0.0.0 reaches this machine on Linux but is not a loopback name for the tool.
    fleet.config.write_text(fleet.config.read_text().replace("127.0.0.1", "0.0.0.0"))
    check(fleet_cli("services", "create", "churn"))
    archive = make_archive("v1")
    result = fleet_cli("generations", "import", "churn", str(archive))
    check(result)
    notes = [line for line in result.stderr.splitlines() if "own disk" in line]
    assert notes == [
        f"Note: each node reads {archive} from its own disk: "
        "it must be at that path on every node of the fleet."
    ]


def test_a_failed_node_s_message_is_json_escaped_once(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2")
    hostile = "bad \x1b]0;pwned\x07\x1b[2J\u009b31m input"
    body = {"errorType": "Boom\x1b[2J", "message": hostile}
    fleet.node("n2").add_fault(path="/admin/api/services", status=400, body=body, count=1)
    result = fleet_cli("services", "list", "-o", "json")
    check(result, 1)
    assert "\x1b" not in result.stdout and "\u009b" not in result.stdout  # inert in a terminal
    error = json.loads(result.stdout)[1]["error"]
    # As in single-node JSON errors: the node's text intact, escaped by JSON alone.
    assert error["message"] == hostile and error["errorType"] == "Boom\x1b[2J"


def test_a_node_down_never_hides_the_others(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "gone", "n3", down=("gone",))
    result = fleet_cli("services", "create", "churn", "-o", "tsv")
    check(result, 7)
    assert result.stdout.splitlines()[0:2] == ["NODE\tOUTCOME\tDETAIL", "n1\tok\t"]
    assert result.stdout.splitlines()[2].startswith("gone\tfailed\tconnection refused")
    assert result.stdout.splitlines()[3] == "n3\tok\t"
    assert services_on(fleet, "n1") == services_on(fleet, "n3") == ["churn"]
    assert "gone: failed" in result.stderr
    assert "Error: 1 of 3 nodes of fleet prod failed: gone" in result.stderr
    listing = fleet_cli("services", "list", "-o", "json")
    check(listing, 7)
    items = json.loads(listing.stdout)
    assert [i["outcome"] for i in items] == ["ok", "failed", "ok"]
    assert items[1] == {
        "node": "gone",
        "uri": fleet.uris["gone"],
        "outcome": "failed",
        "error": {
            "status": None,
            "errorType": "ConnectionFailure",
            "message": items[1]["error"]["message"],
            "exitCode": 7,
        },
    }
    assert "refused" in items[1]["error"]["message"]


def test_the_exit_code_is_the_first_failed_node_in_fleet_order(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    # n1 fails slowly with a 409 (exit 6), n2 fails at once with a 403 (exit 4): 6 wins.
    fleet = make_fleet("n1", "n2", "n3", latency={"n1": 200})
    check(fleet_cli("services", "create", "churn", "--profile", "n1"), 2)  # --fleet + --profile
    check(fleet_cli("-q", "services", "create", "taken"))
    fleet.node("n2").add_fault(path="/admin/api/services", status=403, count=1)
    fleet.node("n3").add_fault(path="/admin/api/services", status=500, count=5)
    result = fleet_cli("services", "create", "taken", "-o", "json")
    check(result, 6)
    outcomes = {i["node"]: i for i in json.loads(result.stdout)}
    assert outcomes["n1"]["error"]["exitCode"] == 6
    assert outcomes["n2"]["error"]["exitCode"] == 4
    assert outcomes["n3"]["error"]["exitCode"] == 7


def test_parallel_one_is_a_rolling_change_that_stops_at_the_first_failure(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2", "n3", "n4")
    fleet.node("n2").add_fault(path="/admin/api/services", status=500, count=5)
    result = fleet_cli("--parallel", "1", "services", "create", "churn", "-o", "json")
    check(result, 7)
    assert [i["outcome"] for i in json.loads(result.stdout)] == [
        "ok",
        "failed",
        "skipped",
        "skipped",
    ]
    assert json.loads(result.stdout)[2] == {
        "node": "n3",
        "uri": fleet.uris["n3"],
        "outcome": "skipped",
    }
    assert services_on(fleet, "n1") == ["churn"]
    assert services_on(fleet, "n3") == services_on(fleet, "n4") == []
    assert "n3: skipped" in result.stderr and "not started: n3, n4" in result.stderr
    # All at once (the default), a failure skips nobody: every node was started.
    fleet.node("n2").add_fault(path="/admin/api/services", status=500, count=5)
    result = fleet_cli("services", "create", "fraud", "-o", "json")
    check(result, 7)
    assert [i["outcome"] for i in json.loads(result.stdout)] == ["ok", "failed", "ok", "ok"]


def test_nodes_are_called_at_the_same_time(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    latency = {name: 400 for name in ("n1", "n2", "n3", "n4", "n5")}
    make_fleet(*latency, latency=latency)
    start = time.monotonic()
    check(fleet_cli("services", "list"))
    together = time.monotonic() - start
    # One after the other would take five latencies; together, about one.
    assert together < 2 * 0.4, together
    start = time.monotonic()
    check(fleet_cli("--parallel", "1", "services", "list"))
    assert time.monotonic() - start >= 5 * 0.4


def test_destructive_commands_ask_once_naming_every_node(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2")
    check(fleet_cli("-q", "services", "create", "churn"))
    refused = fleet_cli("services", "delete", "churn")
    check(refused, 2)
    assert "on 2 nodes (n1, n2)" in refused.stderr and "--yes" in refused.stderr
    terminal = Terminal(stdin_tty=True, stderr_tty=True)
    result = CliRunner().invoke(
        cli, ["--fleet", "prod", "services", "delete", "churn"], obj=App(terminal), input="y\n"
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("?") == 1
    assert "Delete service churn on 2 nodes (n1, n2)?" in result.output
    assert services_on(fleet, "n1") == services_on(fleet, "n2") == []


def test_keys_create_shows_each_node_its_own_secret(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    fleet = make_fleet("n1", "n2")
    result = fleet_cli("keys", "create", "--label", "ci", "-o", "tsv")
    check(result)
    header, *rows = result.stdout.splitlines()
    assert header == "NODE\tID\tKEY"
    secrets = {row.split("\t")[0]: row.split("\t")[2] for row in rows}
    assert list(secrets) == ["n1", "n2"] and secrets["n1"] != secrets["n2"]
    for name, secret in secrets.items():
        other = "n2" if name == "n1" else "n1"
        ok = CliRunner().invoke(
            cli,
            ["services", "list"],
            env={"APINODE_ADMIN_URI": fleet.uris[name], "APINODE_ADMIN_API_KEY": secret},
        )
        assert ok.exit_code == 0
        refused = CliRunner().invoke(
            cli,
            ["services", "list"],
            env={"APINODE_ADMIN_URI": fleet.uris[other], "APINODE_ADMIN_API_KEY": secret},
        )
        assert refused.exit_code == 4


def test_one_nodes_error_never_shows_a_key_and_logs_name_the_node(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, config_home: Path
) -> None:
    fleet = make_fleet("n1", "n2")
    keys = [fleet.node(n).admin_key for n in ("n1", "n2")]
    # n2's profile now holds a wrong key: the node refuses it, and says so in its message.
    text = fleet.config.read_text().replace(keys[1], "wrong-key-of-n2-9999")
    fleet.config.write_text(text)
    result = fleet_cli("-v", "services", "list")
    check(result, 4)
    for secret in (*keys, "wrong-key-of-n2-9999"):
        assert secret not in result.stdout and secret not in result.stderr
    http = [line for line in result.stderr.splitlines() if line.startswith("[http]")]
    assert http and all(line.startswith(("[http] n1: ", "[http] n2: ")) for line in http)
    assert {line.split(":")[0] for line in http} == {"[http] n1", "[http] n2"}
    # A node whose message carries another node's key: scrubbed like its own.
    fleet.config.write_text(text.replace("wrong-key-of-n2-9999", keys[1]))
    body = {"errorType": "Boom", "message": f"confused by {keys[0]} and {keys[1]}"}
    fleet.node("n2").add_fault(path="/admin/api/services", status=400, body=body, count=1)
    result = fleet_cli("services", "list", "-o", "json")
    check(result, 1)
    for secret in keys:
        assert secret not in result.stdout and secret not in result.stderr
    assert "confused by" in json.loads(result.stdout)[1]["error"]["message"]


def test_commands_of_the_original_tool_run_on_one_node(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    make_fleet("n1", "n2")
    result = fleet_cli("services-list")
    check(result, 2)
    assert "one node" in result.stderr and "--profile" in result.stderr
    assert result.stdout == ""


def test_a_fleet_from_the_environment_is_named_as_such_by_the_original_commands(
    make_fleet: Callable[..., Any], run_cli: RunCli
) -> None:
    make_fleet("n1", "n2")
    result = run_cli("services-list", env={"APINODE_ADMIN_FLEET": "prod"})
    check(result, 2)
    first, hint = result.stderr.splitlines()
    assert "APINODE_ADMIN_FLEET names a fleet" in first and "--fleet" not in first
    assert "--profile" in hint and "unset APINODE_ADMIN_FLEET" in hint and "n1, n2" in hint
    assert result.stdout == ""
    # The fleet of the environment yields to a profile named for this run.
    check(run_cli("--profile", "n1", "services-list", env={"APINODE_ADMIN_FLEET": "prod"}))


def test_describe_on_a_fleet_merges_each_table_under_node(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    make_fleet("n1", "n2")
    check(fleet_cli("-q", "services", "create", "churn"))
    check(fleet_cli("-q", "generations", "import", "churn", str(make_archive("v1")), "--activate"))
    result = fleet_cli("services", "describe", "churn", "-o", "tsv")
    check(result)
    tables = result.stdout.split("\n\n")
    assert len(tables) >= 2, result.stdout
    for table in tables:
        lines = table.strip().splitlines()
        assert lines[0].startswith("NODE\t")
        assert [line.split("\t")[0] for line in lines[1:]][:1] == ["n1"]
        assert {line.split("\t")[0] for line in lines[1:]} == {"n1", "n2"}
    assert "v1" in tables[-1]
    wide = fleet_cli("services", "list", "--wide", "-o", "tsv")
    check(wide)
    assert [line.split("\t")[0] for line in wide.stdout.splitlines()] == ["NODE", "n1", "n2"]


def test_logs_name_the_node_in_its_worker_threads_too(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    make_fleet("n1", "n2")
    for service in ("churn", "fraud"):
        check(fleet_cli("-q", "services", "create", service))
    # --wide reads each service's generations concurrently, in threads of each node's own.
    result = fleet_cli("-v", "services", "list", "--wide")
    check(result)
    http = [line for line in result.stderr.splitlines() if line.startswith("[http]")]
    assert len(http) == 2 * 3, result.stderr
    assert all(line.startswith(("[http] n1: ", "[http] n2: ")) for line in http), result.stderr
