"""Property, through the commands: for any valid state file (TOML or JSON) and any node state,
`state apply` makes the node serve what the file says, `state diff --exit-code` then exits 0, and
a second apply sends no write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from support.cli import RunCli, check
from support.state import assert_node_says, node_summary, writes
from support.state_strategies import GENERATIONS, ON_EMULATOR, build, node_states, state_files

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.state import dumps_state_toml


@settings(ON_EMULATOR, max_examples=15)
@given(data=st.data())
def test_apply_then_diff_finds_nothing_and_apply_again_writes_nothing(
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Callable[[str], str],
    node_cli: RunCli,
    tmp_path: Path,
    data: st.DataObject,
) -> None:
    paths = {g: archive(g) for g in GENERATIONS}
    node = data.draw(node_states(), "node")
    build(client, node, paths)
    state = data.draw(state_files(node, paths), "state")
    prune = ["--prune"] if data.draw(st.booleans(), "prune") else []
    if data.draw(st.booleans(), "as JSON"):
        path = tmp_path / "drawn.json"
        path.write_text(json.dumps(state), encoding="utf-8")
    else:
        path = tmp_path / "drawn.toml"
        path.write_text(dumps_state_toml(state), encoding="utf-8")

    check(node_cli("state", "apply", "-f", str(path), "-y", *prune))
    assert_node_says(node_summary(client), state, bool(prune))
    check(node_cli("state", "diff", "-f", str(path), "--exit-code", *prune))
    emulator.clear_received()
    check(node_cli("state", "apply", "-f", str(path), *prune))
    assert writes(emulator) == []
