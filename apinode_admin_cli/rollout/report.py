"""What a rollout did, step by step: the records the CLI renders and ``-o json`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.errors import ApinodeAdminError, ExitCode, RolledBack, Terminated
from apinode_admin_cli.rollout.steps import Shares, shares_json

if TYPE_CHECKING:
    from apinode_admin_cli.rollout.probes import ProbeOutcome

# Step results.
OK = "ok"
FAILED = "failed"
PLANNED = "planned"
INTERRUPTED = "interrupted"
# A step under way; it ends ok, failed or interrupted.
RUNNING = "running"


class StepRecord:
    """One step: the mapping it set on each node, how its probes went, and its result."""

    __slots__ = ("mappings", "percent", "probes", "reason", "result")

    def __init__(self, percent: int, mappings: dict[str, Shares], result: str = RUNNING) -> None:
        self.percent = percent
        # node label -> the mapping this step sets there ("" is the node of a single-node run).
        self.mappings = mappings
        self.probes: Optional[ProbeOutcome] = None
        self.result = result
        self.reason: Optional[str] = None

    def fail(self, reason: str) -> None:
        self.result = FAILED
        self.reason = reason


class RolloutReport:
    """The whole rollout: the stable mappings, each step, and what a rollback restored."""

    def __init__(self, service: str, generation: str, labels: list[str]) -> None:
        self.service = service
        self.generation = generation
        self.labels = labels
        self.fleet = any(labels)
        self.stable: dict[str, Shares] = {}
        self.steps: list[StepRecord] = []
        self.imported: list[str] = []
        self.to_import: list[str] = []
        # Set once a rollback ran: the nodes restored, and those left as they were (why).
        self.rolled_back_to: Optional[dict[str, Shares]] = None
        self.not_restored: dict[str, str] = {}
        # Nodes where the restore found the service gone (404): nothing to set a mapping on.
        self.gone: list[str] = []
        # True when every node already sent all its traffic to the generation: no step ran.
        self.unchanged = False
        self.reason: Optional[str] = None

    def per_node(self, mappings: dict[str, Shares]) -> Any:
        """``{GEN: share}`` for one node; ``{NODE: {GEN: share}}`` for a fleet."""
        if not self.fleet:
            return shares_json(next(iter(mappings.values()))) if mappings else None
        return {label: shares_json(shares) for label, shares in mappings.items()}

    def to_dict(self) -> dict[str, Any]:
        """The whole report as one object, for code: what ``to_json`` lists, and the rest.

        ``{"service", "generation", "stable", "steps": [...], "unchanged", "rolledBack",
        "rolledBackTo", "notRestored", "gone", "reason"}``; ``steps`` are ``to_json``'s step
        objects. (``to_json`` keeps the list that ``-o json`` prints, as the contract says.)
        """
        items = self.to_json()
        steps = [item for item in items if "step" in item]
        return {
            "service": self.service,
            "generation": self.generation,
            "stable": self.per_node(self.stable) if self.stable else None,
            "steps": steps,
            "unchanged": self.unchanged,
            "rolledBack": self.rolled_back_to is not None,
            "rolledBackTo": (
                self.per_node(self.rolled_back_to) if self.rolled_back_to is not None else None
            ),
            "notRestored": dict(self.not_restored),
            "gone": list(self.gone),
            "reason": self.reason,
        }

    def to_json(self) -> list[dict[str, Any]]:
        """The contract's list of step objects, then ``{"rolledBackTo": ...}`` after a rollback."""
        items: list[dict[str, Any]] = []
        for step in self.steps:
            item: dict[str, Any] = {
                "step": step.percent,
                "mapping": self.per_node(step.mappings),
                "probes": step.probes.to_json() if step.probes is not None else None,
                "result": step.result,
            }
            if step.reason:
                item["reason"] = step.reason
            items.append(item)
        if self.rolled_back_to is not None:
            tail: dict[str, Any] = {"rolledBackTo": self.per_node(self.rolled_back_to)}
            if self.not_restored:
                tail["notRestored"] = (
                    dict(self.not_restored)
                    if self.fleet
                    else next(iter(self.not_restored.values()))
                )
            items.append(tail)
        return items


class RolloutFailed(RolledBack):
    """A step failed and every node it touched serves its stable mapping again (exit 9)."""

    def __init__(self, message: str, report: RolloutReport, hint: Optional[str] = None) -> None:
        super().__init__(message, hint)
        self.report = report


class RestoreFailed(ApinodeAdminError):
    """A rollout failed and restoring the stable mapping failed too on some node (exit 1)."""

    exit_code = ExitCode.FAILURE

    def __init__(self, message: str, report: RolloutReport, hint: Optional[str] = None) -> None:
        super().__init__(message, hint)
        self.report = report


class RolloutInterrupted(KeyboardInterrupt):
    """Ctrl-C during a rollout, after the stable mapping was restored (exit 130)."""

    def __init__(self, report: RolloutReport) -> None:
        super().__init__()
        self.report = report


class RolloutTerminated(RolloutInterrupted, Terminated):
    """SIGTERM during a rollout, after the stable mapping was restored (exit 143)."""


__all__ = [
    "FAILED",
    "INTERRUPTED",
    "OK",
    "PLANNED",
    "RUNNING",
    "RestoreFailed",
    "RolloutFailed",
    "RolloutInterrupted",
    "RolloutReport",
    "RolloutTerminated",
    "StepRecord",
]
