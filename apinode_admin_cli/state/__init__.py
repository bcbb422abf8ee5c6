"""Desired state: parse a state file, read a node, plan the changes, apply them, export.

A plan is plain data computed from (desired, current), testable without a node; execution is
a separate step that reports each change through a callback. No click, no printing here.
"""

from __future__ import annotations

from apinode_admin_cli.state.current import read_node_state
from apinode_admin_cli.state.execute import (
    ApplyInterrupted,
    ApplyResult,
    ApplyTerminated,
    ChangeOutcome,
    apply_plan,
    error_json,
    plan_node,
    run_change,
)
from apinode_admin_cli.state.export import (
    dumps_state_json,
    dumps_state_toml,
    export_state,
    state_to_data,
)
from apinode_admin_cli.state.model import (
    Change,
    DesiredState,
    GenerationState,
    NodeState,
    Plan,
    ServiceSpec,
    ServiceState,
)
from apinode_admin_cli.state.parse import (
    MAX_BYTES,
    StateFileError,
    parse_state_data,
    parse_state_text,
    read_state_file,
)
from apinode_admin_cli.state.plan import PlanError, compute_plan
from apinode_admin_cli.state.render import (
    NO_CHANGES,
    change_line,
    plan_json,
    plan_lines,
    plan_notes,
)

__all__ = [
    "ApplyInterrupted",
    "ApplyTerminated",
    "MAX_BYTES",
    "NO_CHANGES",
    "ApplyResult",
    "Change",
    "ChangeOutcome",
    "DesiredState",
    "GenerationState",
    "NodeState",
    "Plan",
    "PlanError",
    "ServiceSpec",
    "ServiceState",
    "StateFileError",
    "apply_plan",
    "change_line",
    "compute_plan",
    "dumps_state_json",
    "dumps_state_toml",
    "error_json",
    "export_state",
    "parse_state_data",
    "parse_state_text",
    "plan_json",
    "plan_lines",
    "plan_node",
    "plan_notes",
    "read_node_state",
    "read_state_file",
    "run_change",
    "state_to_data",
]
