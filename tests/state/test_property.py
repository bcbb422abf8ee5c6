"""Property: for any valid state file and any node state, apply makes the node serve what
the file says, and planning again finds no change."""

from __future__ import annotations

from typing import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from support.state import assert_node_says, node_summary, writes

# Examples share the test's emulator, which build() empties first; each one makes real requests.
from support.state_strategies import (
    GENERATIONS,
    ON_EMULATOR,
    build,
    node_states,
    state_files,
)

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.state import (
    apply_plan,
    dumps_state_toml,
    parse_state_text,
    plan_node,
)


@settings(ON_EMULATOR, max_examples=30)
@given(data=st.data())
def test_apply_then_plan_is_empty(
    emulator: EmulatorHandle,
    client: APINodeAdminClient,
    archive: Callable[[str], str],
    data: st.DataObject,
) -> None:
    paths = {g: archive(g) for g in GENERATIONS}
    node = data.draw(node_states(), "node")
    build(client, node, paths)
    state = data.draw(state_files(node, paths), "state")
    prune = data.draw(st.booleans(), "prune")
    desired = parse_state_text(dumps_state_toml(state), "state file drawn.toml")

    emulator.clear_received()
    plan = plan_node(client, desired, prune)
    result = apply_plan(client, plan)
    assert result.ok, result.failed
    assert bool(writes(emulator)) == plan.has_changes
    assert_node_says(node_summary(client), state, prune)

    again = plan_node(client, desired, prune)
    assert again.changes == (), again.changes
    if prune:
        assert again.unmanaged == ()
