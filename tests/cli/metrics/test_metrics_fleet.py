"""Monitoring a fleet: one Prometheus exposition for every node, and a watch of every node."""

from __future__ import annotations

import io
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from support.cli import RunCli, check, clean_env

from apinode_admin_cli.cli import cli
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.client import APINodeAdminClient, APINodeClient

Labels = tuple[tuple[str, str], ...]


def parse(text: str) -> dict[tuple[str, Labels], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in found, key
            found[key] = sample.value
    return found


def serve_churn(fleet: Any, name: str, archive: Path, predictions: int) -> None:
    admin_uri, node = fleet.uris[name], fleet.node(name)
    with APINodeAdminClient(admin_uri, node.admin_key) as admin:
        admin.create_service("churn")
        admin.service("churn").import_generation_from_archive(str(archive))
        admin.service("churn").switch_to_newest()
    with APINodeClient(admin_uri, "churn") as user:
        for i in range(predictions):
            user.predict_record("score", {"i": i})


def test_one_exposition_for_the_fleet_with_a_node_label_on_every_sample(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    fleet = make_fleet("n1", "n2")
    serve_churn(fleet, "n1", make_archive("v1"), 3)
    serve_churn(fleet, "n2", make_archive("v1"), 5)
    result = fleet_cli("metrics", "show", "-o", "prometheus")
    check(result)
    samples = parse(result.stdout)
    assert all(dict(labels).get("node") in ("n1", "n2") for _, labels in samples)
    assert samples[("apinode_up", (("node", "n1"),))] == 1
    assert samples[("apinode_up", (("node", "n2"),))] == 1
    for node, count in (("n1", 3), ("n2", 5)):
        labels = (("node", node), ("service", "churn"))
        assert samples[("apinode_service_requests", labels)] == count
        assert samples[("apinode_emulated", (("node", node),))] == 1
    # One family per name: each TYPE line once, the nodes' samples together under it.
    types = [line for line in result.stdout.splitlines() if line.startswith("# TYPE ")]
    assert len(types) == len(set(types)) == len({name for name, _ in samples})
    assert "failed" not in result.stderr


def test_a_node_down_leaves_the_others_up_0_for_it_and_exit_7(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, make_archive: Callable[..., Path]
) -> None:
    fleet = make_fleet("n1", "n2", "n3", down=("n2",))
    serve_churn(fleet, "n1", make_archive("v1"), 2)
    result = fleet_cli("metrics", "show", "-o", "prometheus")
    check(result, 7)
    samples = parse(result.stdout)
    assert samples[("apinode_up", (("node", "n1"),))] == 1
    assert samples[("apinode_up", (("node", "n2"),))] == 0
    assert samples[("apinode_up", (("node", "n3"),))] == 1
    nodes = {dict(labels)["node"] for name, labels in samples if name != "apinode_up"}
    assert nodes == {"n1", "n3"}
    assert samples[("apinode_service_requests", (("node", "n1"), ("service", "churn")))] == 2
    assert "n2: failed" in result.stderr
    assert "Error: 1 of 3 nodes of fleet prod failed: n2" in result.stderr


def test_a_configuration_error_prints_nothing_and_exits_3(
    make_fleet: Callable[..., Any], fleet_cli: RunCli, run_cli: RunCli
) -> None:
    # What the guide's fleet cron line relies on: an empty output keeps the previous file.
    fleet = make_fleet("n1", "n2")
    text = fleet.config.read_text(encoding="utf-8")
    fleet.config.write_text(text.replace('api_key = "key-of-n2-0001"', ""), encoding="utf-8")
    assert "key-of-n2" not in fleet.config.read_text(encoding="utf-8")
    result = fleet_cli("metrics", "show", "-o", "prometheus")
    check(result, 3)
    assert result.stdout == ""
    assert "n2" in result.stderr.splitlines()[0]
    assert fleet.node("n1").received == []  # stopped before any node was read
    unknown = run_cli("--fleet", "nosuch", "metrics", "show", "-o", "prometheus")
    check(unknown, 3)
    assert unknown.stdout == ""


def test_other_formats_keep_the_fleet_node_column(
    make_fleet: Callable[..., Any], fleet_cli: RunCli
) -> None:
    make_fleet("n1", "n2")
    result = fleet_cli("metrics", "show", "-o", "tsv")
    check(result)
    header, *rows = result.stdout.splitlines()
    assert header.split("\t") == ["NODE", "METRIC", "VALUE"]
    assert {row.split("\t")[0] for row in rows} == {"n1", "n2"}


def test_a_fleet_watch_goes_on_with_a_node_down(
    make_fleet: Callable[..., Any], config_home: Path
) -> None:
    make_fleet("n1", "n2", "n3", down=("n2",))
    proc = subprocess.run(
        [sys.executable, "-m", "apinode_admin_cli", "--fleet", "prod", "metrics", "watch"]
        + ["--count", "3", "--interval", "0.2"],
        env=clean_env(config_home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 7, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    # Every poll has a line per node, in fleet order.
    assert [line["node"] for line in lines] == ["n1", "n2", "n3"] * 3
    for line in lines:
        if line["node"] == "n2":
            assert line["error"] and "refused" in line["error"]
            assert line["metrics"] == {} and line["rates"] == {}
        else:
            assert line["error"] is None and line["metrics"]["emulated"] == 1
    assert lines[-1]["rates"]["admin.requests"] > 0
    assert proc.stderr.startswith("Error: n2 did not answer 3 of 3 polls: ")
    assert "key-of-" not in proc.stdout + proc.stderr  # no node's key in what is shown


def test_a_fleet_watch_on_a_terminal_has_a_column_group_per_node(
    make_fleet: Callable[..., Any],
) -> None:
    make_fleet("n1", "n2", "n3", down=("n3",))
    out, err = io.StringIO(), io.StringIO()
    app = App(Terminal(stdout=out, stderr=err, stdout_tty=True, stderr_tty=False))
    result = CliRunner().invoke(
        cli,
        ["--fleet", "prod", "metrics", "watch", "--count", "2", "--interval", "0.1"],
        obj=app,
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 7, err.getvalue()
    screen = out.getvalue()
    last = screen[screen.rindex("fleet prod · poll 2/2") :]
    assert last.count("/S") == 3 and last.count("CHG") == 3
    header = next(line for line in last.splitlines() if "n1" in line)
    assert "n2" in header and "n3" in header
    assert "n3 not answering: " in last
    assert "admin.requests" in last
    assert err.getvalue().startswith("Error: n3 did not answer 2 of 2 polls")


def test_ctrl_c_ends_a_fleet_watch_at_once_even_with_a_node_that_hangs(
    make_fleet: Callable[..., Any], config_home: Path
) -> None:
    fleet = make_fleet("n1", "n2", down=("n2",))
    with socket.socket() as silent:
        # n2 takes the connection and never answers: its poll waits for --timeout (60 s).
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        hung = f"http://127.0.0.1:{silent.getsockname()[1]}"
        text = fleet.config.read_text(encoding="utf-8")
        fleet.config.write_text(text.replace(fleet.uris["n2"], hung), encoding="utf-8")
        proc = subprocess.Popen(
            [sys.executable, "-m", "apinode_admin_cli", "--fleet", "prod", "metrics", "watch"],
            env=clean_env(config_home),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            silent.settimeout(20)
            conn, _ = silent.accept()  # the first poll is under way
            with conn:
                proc.send_signal(signal.SIGINT)
                _, err = proc.communicate(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err
    assert err == ""
