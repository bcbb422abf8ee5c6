"""What a rollout is asked to do, checked as a whole before any node is read.

Library code: messages name the plan's parts, never a command-line flag (the CLI checks its
own option combinations first, in its own words).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.rollout.steps import DEFAULT_STEPS, check_steps

# A pause longer than a day is a mistake in the units, not a rollout.
MAX_PAUSE = 86400.0


@dataclass(frozen=True)
class RolloutPlan:
    """The service, the generation and how to move traffic to it.

    ``archive`` is the archive's path as the nodes read it (on their own disk), imported
    where the generation is missing; ``probes`` are user-API records (``{"features": ...}``),
    predicted on ``endpoint`` after each step.
    """

    service: str
    generation: str
    steps: tuple[int, ...] = DEFAULT_STEPS
    pause: float = 0.0
    probes: tuple[dict[str, Any], ...] = ()
    endpoint: Optional[str] = None
    max_probe_failures: int = 0
    archive: Optional[str] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", check_steps(list(self.steps)))
        if not self.service or not self.generation:
            raise UsageError("a rollout needs a service and a generation")
        if self.probes and not self.endpoint:
            raise UsageError("probes need an endpoint: the one they are predicted with")
        if self.endpoint and not self.probes:
            raise UsageError("an endpoint is for the probes: give probes with it")
        failures = self.max_probe_failures
        if isinstance(failures, bool) or not isinstance(failures, int) or failures < 0:
            raise UsageError(f"the probe failures allowed must be 0 or more, not {failures!r}")
        pause = self.pause
        if isinstance(pause, bool) or not isinstance(pause, (int, float)):
            raise UsageError(f"the pause must be a number of seconds, not {pause!r}")
        if not (math.isfinite(pause) and 0 <= pause <= MAX_PAUSE):
            raise UsageError(f"the pause must be from 0 to {MAX_PAUSE:g} seconds, not {pause:g}")


__all__ = ["MAX_PAUSE", "RolloutPlan"]
