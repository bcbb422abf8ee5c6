"""Progressive rollouts: move a service's traffic to a generation in steps, probe, roll back.

Library code behind ``services rollout`` (no click, no terminal): give :class:`Rollout` the
nodes (anything with ``name``, ``client`` and ``user_client(service_id, key)``), a
:class:`RolloutPlan` and a :class:`Listener` for progress.

Example::

    from apinode_admin_cli.rollout import Rollout, RolloutPlan, parse_probes

    plan = RolloutPlan("churn", "v2", steps=(10, 50, 100), endpoint="score",
                       probes=parse_probes('{"tenure": 3}'))
    report = Rollout([node], plan).run()   # RolloutFailed (exit 9) after a rollback
"""

from __future__ import annotations

from apinode_admin_cli.rollout.checks import NodeRun, RolloutNode, created_generation
from apinode_admin_cli.rollout.driver import Rollout
from apinode_admin_cli.rollout.listener import Listener, terminate_as_interrupt
from apinode_admin_cli.rollout.plan import RolloutPlan
from apinode_admin_cli.rollout.probes import MAX_PROBES, ProbeOutcome, parse_probes, run_probes
from apinode_admin_cli.rollout.report import (
    RestoreFailed,
    RolloutFailed,
    RolloutInterrupted,
    RolloutReport,
    RolloutTerminated,
    StepRecord,
)
from apinode_admin_cli.rollout.steps import (
    DEFAULT_STEPS,
    describe_mapping,
    mapping_body,
    parse_steps,
    shares_json,
    step_shares,
)

__all__ = [
    "DEFAULT_STEPS",
    "MAX_PROBES",
    "Listener",
    "NodeRun",
    "ProbeOutcome",
    "RestoreFailed",
    "Rollout",
    "RolloutFailed",
    "RolloutInterrupted",
    "RolloutNode",
    "RolloutPlan",
    "RolloutReport",
    "RolloutTerminated",
    "StepRecord",
    "created_generation",
    "describe_mapping",
    "mapping_body",
    "parse_probes",
    "parse_steps",
    "run_probes",
    "shares_json",
    "step_shares",
    "terminate_as_interrupt",
]
