"""Rollout steps: parsing them (``"10,50,100"``), and the mapping each step sets on a node."""

from __future__ import annotations

from typing import Any, Sequence

from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.state.model import Shares, describe_mapping, mapping_body

DEFAULT_STEPS = (10, 50, 100)
# More steps than this is a typo (or a script gone wrong), not a rollout plan.
MAX_STEPS = 100
# Shares are sent rounded, so that 0.9 * 0.5 goes out as 0.45, not 0.45000000000000001.
DIGITS = 9


def parse_steps(text: str) -> tuple[int, ...]:
    """``"10,50,100"`` -> ``(10, 50, 100)``: whole percentages, increasing, ending at 100."""
    words = [word.strip() for word in text.split(",")]
    words = [w[:-1].rstrip() if w.endswith("%") else w for w in words]
    if not text.strip() or any(not w for w in words):
        raise UsageError(
            f"invalid steps {text!r}: expected percentages separated by commas, e.g. 10,50,100"
        )
    steps = []
    for word in words:
        if not word.isdigit() or not word.isascii():
            raise UsageError(f"invalid steps {text!r}: {word!r} is not a whole percentage")
        if len(word.lstrip("0")) > 3:  # before int(), which refuses thousands of digits
            raise UsageError(f"invalid steps: {word[:20]}... is not a percentage from 1 to 100")
        steps.append(int(word))
    return check_steps(steps, text)


def check_steps(steps: Sequence[int], shown: Any = None) -> tuple[int, ...]:
    """The steps as a tuple, or a UsageError: 1 to 100, strictly increasing, the last 100."""
    label = f"steps {shown!r}" if shown is not None else f"steps {list(steps)}"
    if not steps:
        raise UsageError(f"invalid {label}: no step given")
    if len(steps) > MAX_STEPS:
        raise UsageError(f"invalid {label}: at most {MAX_STEPS} steps")
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= 100:
            raise UsageError(f"invalid {label}: {step!r} is not a percentage from 1 to 100")
    if any(later <= earlier for earlier, later in zip(steps, steps[1:])):
        raise UsageError(f"invalid {label}: the percentages must increase")
    if steps[-1] != 100:
        raise UsageError(
            f"invalid {label}: the last step must be 100",
            hint="a rollout ends with all traffic on the new generation, e.g. 10,50,100",
        )
    return tuple(steps)


def step_shares(stable: Shares, generation: str, percent: int) -> Shares:
    """The mapping of one step: ``generation`` at ``percent``, the rest as the stable split.

    The stable generations other than ``generation`` keep their proportions among themselves;
    the step 100 (or a stable mapping that only holds ``generation``) is ``generation`` alone.
    Every share is a whole number of 1e-9 and never negative, however tiny a stable share
    is (a node refuses a negative one); a share that rounds to nothing is left out.
    """
    others = [(g, s) for g, s in stable if g != generation and s > 0]
    total = sum(s for _, s in others)
    if percent >= 100 or total <= 0:
        return ((generation, 1.0),)
    whole = 10**DIGITS
    share = percent * whole // 100
    left = whole - share
    # Largest remainder: each share rounded down, the units left go to the largest
    # fractions, so that the entries sum to 1 exactly and none can go below zero.
    exact = [left * s / total for _, s in others]
    units = [int(x) for x in exact]
    by_fraction = sorted(range(len(others)), key=lambda i: units[i] - exact[i])
    for i in by_fraction[: max(0, left - sum(units))]:
        units[i] += 1
    rest = [(g, n / whole) for (g, _), n in zip(others, units) if n > 0]
    return ((generation, share / whole), *rest)


def shares_json(shares: Shares) -> dict[str, float]:
    """``{"v2": 0.1, "v1": 0.9}``: the contract's ``{GEN: share}``."""
    return {g: round(s, DIGITS) for g, s in shares}


__all__ = [
    "DEFAULT_STEPS",
    "Shares",
    "check_steps",
    "describe_mapping",
    "mapping_body",
    "parse_steps",
    "shares_json",
    "step_shares",
]
