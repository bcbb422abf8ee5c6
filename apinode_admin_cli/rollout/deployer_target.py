"""A deployment of the API Deployer as a rollout drives it: its mapping, its updates, its health.

The rollout of a deployment changes the deployment's settings (``generationsMapping``), then
has the deployer push them (an update job, waited for with a bound), then requires the health
the deployer computes to be ``HEALTHY``. Nothing here prints; errors are the package's.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from apinode_admin_cli.errors import (
    ApinodeAdminError,
    ConflictError,
    JobFailed,
    JobStillRunning,
    UsageError,
)
from apinode_admin_cli.state.model import Shares

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.deployments import DSSAPIDeployerDeployment
    from apinode_admin_cli.client.deployer.future import DSSFuture


class UpdateRunning(ConflictError):
    """An update of the deployment is under way: a deploy now would race it.

    The hint says what to do in words of the library; the CLI words it with its own command.
    """

    def __init__(self, deployment_id: str, job_id: Optional[str]) -> None:
        super().__init__(
            f"an update of deployment {deployment_id} is running (job {job_id}): "
            "nothing was changed",
            status=409,
            hint="wait for the running update to end (the deployment's status follows it)",
        )
        self.deployment_id = deployment_id
        self.job_id = job_id


HEALTHY = "HEALTHY"
# The deployer computes health when asked: a fresh update may need a moment to show.
HEALTH_POLL = 0.5


def shares_of(mapping: Any) -> Shares:
    """The shares of a deployment's ``generationsMapping`` (single or multi-version)."""
    if not isinstance(mapping, dict):
        return ()
    if mapping.get("mode") == "SINGLE_GENERATION" or "generation" in mapping:
        version = mapping.get("generation")
        return ((str(version), 1.0),) if version else ()
    entries = mapping.get("entries") or []
    return tuple(
        (str(e.get("generation")), float(e.get("proba") or 0.0))
        for e in entries
        if isinstance(e, dict) and e.get("generation")
    )


def mapping_of(shares: Shares) -> dict[str, Any]:
    """The ``generationsMapping`` setting for ``shares``: one version alone is SINGLE."""
    live = [(g, s) for g, s in shares if s > 0]
    if len(live) == 1:
        return {"mode": "SINGLE_GENERATION", "generation": live[0][0]}
    return {
        "mode": "MULTI_GENERATION",
        "entries": [{"generation": g, "proba": s} for g, s in live],
    }


class DeploymentTarget:
    """One deployment: read once (:meth:`read`), then set, update and check as asked."""

    def __init__(
        self,
        deployment: DSSAPIDeployerDeployment,
        wait_timeout: float,
        on_progress: Callable[[dict[str, Any]], None] = lambda state: None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.deployment = deployment
        self.deployment_id = deployment.id
        self.wait_timeout = wait_timeout
        self.on_progress = on_progress
        self.sleep = sleep
        self.clock = clock
        self.enabled = True
        self.service_id = ""
        self.published_id = ""
        self.health = ""
        # The update job started last; a rollback stops it before starting its own.
        self.job: Optional[DSSFuture] = None

    def read(self) -> Shares:
        """The mapping the settings hold now; also the health, the service and ``enabled``."""
        settings = self.deployment.get_settings().get_raw()
        light = self.deployment.get_light_status()
        info = light.get("deploymentBasicInfo") or {}
        self.published_id = str(
            info.get("publishedServiceId") or settings.get("publishedServiceId")
        )
        self.service_id = str(info.get("deployedServiceId") or self.published_id)
        self.enabled = settings.get("enabled", True) is not False
        self.health = self.read_health()
        return shares_of(settings.get("generationsMapping"))

    def versions(self) -> list[str]:
        """The versions the published service holds in the deployer."""
        from apinode_admin_cli.client.deployer.services import DSSAPIDeployerService

        service = DSSAPIDeployerService(self.deployment.client, self.published_id)
        packages = service.get_status().get_versions()
        return [str(p.get("id")) for p in packages if isinstance(p, dict)]

    def read_health(self) -> str:
        heavy = self.deployment._get("status", what="the deployment status")
        return str(heavy.get("health") or "UNKNOWN")

    def node_urls(self) -> list[str]:
        """The base URL of each node (static) or the public URL (Kubernetes)."""
        heavy = self.deployment._get("status", what="the deployment status")
        if isinstance(heavy.get("apiNodes"), list):
            return [str(n.get("url", "")).rstrip("/") for n in heavy["apiNodes"] if n.get("url")]
        if heavy.get("publicURL"):
            return [str(heavy["publicURL"]).rstrip("/")]
        return []

    def set_mapping(self, shares: Shares) -> None:
        """Save the settings with ``shares`` as the mapping (the nodes change at the update)."""
        settings = self.deployment.get_settings()
        settings.get_raw()["generationsMapping"] = mapping_of(shares)
        settings.save()

    def running_jobs(self) -> list[DSSFuture]:
        """The deployer's running jobs that name this deployment (its update jobs)."""
        futures = self.deployment.client.list_futures(as_objects=True)
        return [
            f
            for f in futures
            if self.deployment_id in str((f.state or {}).get("jobDisplayName") or "").split()
        ]

    def update(self, deadline: float, recover: bool = False) -> None:
        """Start the update job and wait for it until ``deadline``; JobFailed if nodes refused.

        With ``recover`` (a rollback), an update already running is this run's own, whose
        handle a stop signal cut off during its request: it is stopped, and the update
        started again.
        """
        try:
            self.job = self.deployment.start_update()
        except ConflictError:
            if not recover:
                raise
            for job in self.running_jobs():
                self.job = job
                self.stop_job()
            self.job = self.deployment.start_update()
        left = max(0.001, deadline - self.clock())
        result = self.job.wait_for_result(timeout=left, on_progress=self.on_progress)
        self.job = None
        failed = result.get("nbNOKNodes") if isinstance(result, dict) else None
        status = str(result.get("status") or "").upper() if isinstance(result, dict) else ""
        if (isinstance(failed, int) and failed > 0) or status == "FAILED":
            details = [
                f"{n.get('url')}: {n.get('message')}"
                for n in (result.get("failedNodes") or [])
                if isinstance(n, dict)
            ]
            message = result.get("message")
            if isinstance(message, str) and message.strip():
                details.insert(0, message.strip())
            said = f"{failed} node(s) did not take the update" if failed else "the update FAILED"
            raise JobFailed(said + (f": {'; '.join(details)}" if details else ""))

    def wait_healthy(self, deadline: float) -> None:
        """Until ``deadline``, poll the health; an error naming the last one if never HEALTHY."""
        while True:
            self.health = self.read_health()
            if self.health == HEALTHY:
                return
            if self.clock() >= deadline:
                raise ApinodeAdminError(
                    f"deployment {self.deployment_id} is {self.health}, not HEALTHY, "
                    f"within {self.wait_timeout:g} s"
                )
            self.sleep(min(HEALTH_POLL, max(0.0, deadline - self.clock())))

    def stop_job(self, wait: float = 30.0) -> None:
        """Abort the update job this run started, if it still runs, and wait for its end."""
        job, self.job = self.job, None
        if job is None:
            return
        try:
            job.abort()
        except ApinodeAdminError:
            pass  # it may have ended meanwhile: what follows checks the job's state
        end = self.clock() + wait
        while self.clock() < end:
            try:
                if job.peek_state().get("alive") is False:
                    return
            except ApinodeAdminError:
                return  # gone: nothing left running
            self.sleep(HEALTH_POLL)
        raise JobStillRunning(
            f"the update job {job.job_id} of deployment {self.deployment_id} would not stop",
            job_id=job.job_id,
        )

    def check(self, version: str) -> None:
        """Exit 2 before anything is sent when the deployment cannot take ``version``."""
        if not self.enabled:
            raise UsageError(
                f"deployment {self.deployment_id} is disabled: a deploy shifts live traffic",
                hint=f"enable it first: apinode-admin deployer deployments enable "
                f"{self.deployment_id}",
            )
        running = self.running_jobs()
        if running:
            raise UpdateRunning(self.deployment_id, running[0].job_id)
        known = self.versions()
        if version not in known:
            from apinode_admin_cli.errors import NotFoundError

            raise NotFoundError(
                f"version {version!r} not found in service {self.published_id!r} of the deployer",
                status=404,
                hint=f"upload it first: apinode-admin deployer services upload "
                f"{self.published_id} PACKAGE.zip",
            )


__all__ = ["HEALTHY", "DeploymentTarget", "mapping_of", "shares_of"]
