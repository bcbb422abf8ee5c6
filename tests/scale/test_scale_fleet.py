"""Fleets that grow: every node at once, settings from one parse, drift by index."""

from __future__ import annotations

import resource
import threading
from pathlib import Path

import pytest

from apinode_admin_cli.config import dumps_toml, resolve_nodes, resolve_settings
from apinode_admin_cli.config import files as config_files
from apinode_admin_cli.fleet.drift import compare
from apinode_admin_cli.fleet.runner import MAX_PARALLEL, parallel_limit, run_on_nodes
from apinode_admin_cli.state.model import GenerationState, NodeState, ServiceState


def test_a_hundred_nodes_run_at_once_by_default() -> None:
    nodes = [f"n{i:03d}" for i in range(100)]
    # Every node must be running at the same time to pass: a cap below 100 breaks it.
    together = threading.Barrier(len(nodes), timeout=10)
    outcomes = run_on_nodes(nodes, lambda node: together.wait() >= 0)
    assert [o.outcome for o in outcomes] == ["ok"] * 100


def test_parallel_still_limits_and_the_open_file_limit_bounds_it() -> None:
    assert parallel_limit(None, 100) == 100
    assert parallel_limit(None, 10_000) == min(MAX_PARALLEL, parallel_limit(10_000, 10_000))
    assert parallel_limit(3, 100) == 3
    assert parallel_limit(50, 10) == 10
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (164, hard))
    try:
        assert parallel_limit(None, 100) == 50  # (164 - 64 reserved) // 2 per node
        assert parallel_limit(500, 1000) == 50
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture
def fleet_config(tmp_path: Path) -> Path:
    names = [f"n{i:02d}" for i in range(40)]
    keys = tmp_path / "keys"
    keys.mkdir()
    profiles = {}
    for i, name in enumerate(names):
        key_file = keys / name
        key_file.write_text(f"key-of-node-{i:02d}-0123456789\n")
        key_file.chmod(0o600)
        profiles[name] = {"uri": f"http://node-{i}:12000", "api_key_file": str(key_file)}
    config = tmp_path / "config.toml"
    data = {"profiles": {**profiles, "spare": {"timeout": 9}}, "fleets": {"f": {"profiles": names}}}
    config.write_text(dumps_toml(data))
    config.chmod(0o600)
    return config


def test_a_fleet_resolves_from_one_parse_as_node_by_node(
    fleet_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flags = {"config": str(fleet_config), "timeout": 7.0}
    env: dict[str, str] = {"APINODE_ADMIN_URI": "http://ignored:1"}
    names = [f"n{i:02d}" for i in range(40)]
    one_by_one = {
        name: resolve_settings(flags, env, node=(name, "fleet f"), argv0="apinode-admin")
        for name in names
    }
    parses = []
    real = config_files.load_config
    monkeypatch.setattr(config_files, "load_config", lambda p: parses.append(p) or real(p))
    monkeypatch.setattr("apinode_admin_cli.config.fleets.load_config", config_files.load_config)
    monkeypatch.setattr("apinode_admin_cli.config.resolve.load_config", config_files.load_config)
    monkeypatch.setattr("sys.argv", ["apinode-admin"])
    together = resolve_nodes(flags, env, names, "fleet f")
    assert len(parses) == 1
    assert list(together) == names
    for name in names:
        assert together[name].values == one_by_one[name].values
        assert together[name].sources == one_by_one[name].sources
    assert together["n07"].api_key == "key-of-node-07-0123456789"
    assert together["n07"].uri == "http://node-7:12000"
    assert together["n07"].timeout == 7.0


def test_a_missing_config_named_by_flag_is_still_an_error(tmp_path: Path) -> None:
    from apinode_admin_cli.errors import ConfigError

    flags = {"config": str(tmp_path / "absent.toml")}
    with pytest.raises(ConfigError, match="does not exist"):
        resolve_nodes(flags, {}, ["a"], "fleet f")


def _node(ids: list[str], generation: str = "v1") -> NodeState:
    gens = (GenerationState(generation, 1.0, True),)
    return NodeState(tuple(ServiceState(sid, True, gens) for sid in ids))


def test_lookups_by_id_find_the_first_service_of_that_id() -> None:
    first = ServiceState("a", True, ())
    state = NodeState((first, ServiceState("b", False), ServiceState("a", False)))
    assert state.get("a") is first
    assert state.get("b") == ServiceState("b", False)
    assert state.get("zz") is None
    assert state == NodeState((first, ServiceState("b", False), ServiceState("a", False)))


def test_drift_lists_services_in_order_of_first_appearance_across_nodes() -> None:
    states = {
        "n1": _node(["s3", "s1"]),
        "n2": None,
        "n3": _node(["s2", "s1", "s4"], generation="v2"),
    }
    drifts = compare(states, ["n1", "n2", "n3"])
    assert [d.service_id for d in drifts] == ["s3", "s1", "s2", "s4"]
    by_id = {d.service_id: d for d in drifts}
    assert "mapping" in by_id["s1"].differences
    assert "present" in by_id["s3"].differences
    assert by_id["s3"].views == {"n1": states["n1"].get("s3"), "n3": None}  # type: ignore[union-attr]
    assert set(by_id["s1"].views) == {"n1", "n3"}
