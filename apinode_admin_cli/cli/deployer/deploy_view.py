"""What ``deployer deploy|rollout`` show: the rollout's view, plus the updates and the health."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.cli.services.rollout_view import RolloutView
from apinode_admin_cli.rollout import describe_mapping
from apinode_admin_cli.rollout.deployment import DeploymentListener

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.rollout import RolloutPlan, RolloutReport
    from apinode_admin_cli.rollout.steps import Shares


class DeployView(RolloutView, DeploymentListener):
    """Progress on stderr (the settings, each update, the health); the steps on stdout."""

    def __init__(self, app: App, plan: RolloutPlan, single: bool) -> None:
        super().__init__(app, plan, fleet=False)
        self.single = single
        self._last_progress: Optional[str] = None

    def checked(self, label: str, stable: Shares) -> None:
        self.term.info(
            self._scrub(f"Deployment {self.plan.service} is set to {describe_mapping(stable)}")
        )

    def step_applied(self, percent: int, label: str, shares: Shares) -> None:
        self.term.info(self._scrub(f"Set {describe_mapping(shares)} in the deployer"))

    def updating(self, percent: int) -> None:
        self._last_progress = None
        what = "the rollback" if percent == 0 else f"step {percent}%"
        self.term.info(f"Updating the nodes ({what})...")

    def progress(self, state: dict[str, Any]) -> None:
        from apinode_admin_cli.cli.deployer.deployment_run import progress_line

        line = progress_line(state)
        if line and line != self._last_progress:
            self._last_progress = line
            self.term.info(f"  {line}")

    def healthy(self, percent: int) -> None:
        self.term.info(f"Deployment {self.plan.service} is HEALTHY")

    def unchanged(self, generation: str) -> None:
        self.term.info(
            self._clean(
                f"Deployment {self.plan.service} already serves {generation} and is HEALTHY: "
                "nothing to do, nothing sent"
            )
        )

    def rolling_back(self, reason: str) -> None:
        if reason.startswith("interrupted"):
            first = "Terminated" if "SIGTERM" in reason else "Interrupted"
            text = f"{first}: rolling back to the previous version"
        else:
            text = "Rolling back to the previous version"
        self.term.say(self.term.style(text, fg="yellow"))

    def restore_failed(self, label: str, left: str, error: str) -> None:
        self.term.say(
            self.term.style(
                self._clean(f"NOT restored: the deployment is {left}: {error}"), fg="red"
            )
        )

    def restore_hint(self, report: RolloutReport) -> str:
        """The command that finishes the rollback."""
        deployment = shlex.quote(report.service)
        stable = report.stable.get("", ())
        live = [g for g, s in stable if s > 0]
        if len(live) == 1:
            return (
                f"finish it with: apinode-admin deployer deploy {deployment} {shlex.quote(live[0])}"
            )
        steps = ", ".join(f"{g} {round(s * 100, 7):g}%" for g, s in stable)
        return (
            f"put the mapping {steps} back in the deployment's settings, then: "
            f"apinode-admin deployer deployments update {deployment}"
        )

    def dry_run_done(self, report: RolloutReport) -> None:
        probes = len(self.plan.probes)
        probed = f", {probes} probe(s) on each node" if probes else ""
        self.term.info(
            f"Dry run: nothing was changed (a real run saves each step's mapping, updates, "
            f"requires HEALTHY{probed})"
        )


__all__ = ["DeployView"]
