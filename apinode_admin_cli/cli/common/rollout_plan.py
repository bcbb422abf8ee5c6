"""The rollout plan from the command line's options, and the run of a rollout with its report.

``services rollout``, ``deployer deploy`` and ``deployer rollout`` take the same options
(``--steps``, ``--pause``, ``--probe``, ``--endpoint``); here they are checked with the options'
names, before anything is sent, and turned into a :class:`~apinode_admin_cli.rollout.RolloutPlan`;
then :func:`drive` runs (or plans) the rollout and shows its report however it ends.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from apinode_admin_cli.errors import UsageError


def plan_from_options(
    target_id: str,
    version: str,
    *,
    steps: str,
    pause: float,
    probe_file: Optional[str],
    endpoint: Optional[str],
    max_probe_failures: int,
) -> Any:
    """The checked plan; a UsageError naming the option when one does not hold."""
    from apinode_admin_cli.cli.common.options import naming, read_text_input
    from apinode_admin_cli.rollout import RolloutPlan, parse_probes, parse_steps
    from apinode_admin_cli.rollout.plan import MAX_PAUSE
    from apinode_admin_cli.rollout.probes import MAX_PROBE_BYTES

    if probe_file is not None and not endpoint:
        raise UsageError(
            "--probe needs --endpoint: the endpoint the probes are predicted with",
            hint="e.g. --probe probes.jsonl --endpoint score",
        )
    if endpoint and probe_file is None:
        raise UsageError("--endpoint is for the probes: give --probe FILE with it")
    if not (math.isfinite(pause) and 0 <= pause <= MAX_PAUSE):
        raise UsageError(f"--pause must be from 0 to {MAX_PAUSE:g} seconds, not {pause:g}")
    probes: tuple[dict[str, Any], ...] = ()
    if probe_file is not None:
        shown = "the probes on stdin" if probe_file == "-" else f"probe file {probe_file}"
        probes = parse_probes(read_text_input(probe_file, MAX_PROBE_BYTES), shown)
    with naming("--steps"):
        parsed_steps = parse_steps(steps)
    return RolloutPlan(
        target_id,
        version,
        steps=parsed_steps,
        pause=pause,
        probes=probes,
        endpoint=endpoint,
        max_probe_failures=max_probe_failures,
    )


def drive(driver: Any, view: Any, dry_run: bool) -> None:
    """Run (or plan) a rollout and show its report, whatever the ending (SIGTERM included)."""
    from apinode_admin_cli.rollout import (
        RestoreFailed,
        RolloutFailed,
        RolloutInterrupted,
        terminate_as_interrupt,
    )

    try:
        with terminate_as_interrupt():
            report = driver.dry_run() if dry_run else driver.run()
    except (RolloutFailed, RestoreFailed, RolloutInterrupted) as exc:
        view.show(exc.report, succeeded=False)
        if isinstance(exc, RestoreFailed):
            exc.hint = view.restore_hint(exc.report)
        raise
    view.show(report, succeeded=not dry_run)
    if dry_run:
        view.dry_run_done(report)
