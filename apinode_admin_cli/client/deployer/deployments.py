"""Deployments of the API Deployer: status, settings, updates, history, queries, deletion."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.client.deployer.client import (
    DEPLOYER,
    deployer_check,
    expect,
    expect_objects,
)
from apinode_admin_cli.client.deployer.future import DSSFuture
from apinode_admin_cli.client.result import REQUIRED
from apinode_admin_cli.client.retry import GONE_MEANS_DONE, ONCE
from apinode_admin_cli.client.urls import segment
from apinode_admin_cli.errors import UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient


class DSSAPIDeployerDeployment:
    """A handle on one deployment."""

    def __init__(self, client: DSSDeployerClient, deployment_id: str) -> None:
        self.client = client
        self.deployment_id = deployment_id

    def __repr__(self) -> str:
        return f"DSSAPIDeployerDeployment({self.deployment_id!r})"

    @property
    def id(self) -> str:
        return self.deployment_id

    def _path(self, *more: str) -> tuple[str, ...]:
        return (DEPLOYER, "deployments", segment(self.deployment_id, "deployment id"), *more)

    def _show(self) -> str:
        return deployer_check("deployments", "show", self.deployment_id)

    def _get(self, *more: str, what: str) -> Any:
        return expect(self.client._call("GET", self._path(*more), need=REQUIRED), dict, what)

    def get_status(self) -> DSSAPIDeployerDeploymentStatus:
        """The light status (settings, infrastructure) and the heavy one (health, nodes)."""
        light = self._get(what="the deployment")
        heavy = self._get("status", what="the deployment status")
        return DSSAPIDeployerDeploymentStatus(self.client, self.deployment_id, light, heavy)

    def get_light_status(self) -> dict[str, Any]:
        """The light status alone, one request (not in the official client)."""
        light: dict[str, Any] = self._get(what="the deployment")
        return light

    def get_governance_status(self, version: str = "") -> Any:
        """Governance messages about a version (all versions of the mapping when empty)."""
        return self._call_json("GET", "governance-status", params={"version": version})

    def get_settings(self) -> DSSAPIDeployerDeploymentSettings:
        settings = self._get("settings", what="the deployment settings")
        return DSSAPIDeployerDeploymentSettings(self.client, self.deployment_id, settings)

    def start_update(self) -> DSSFuture:
        """Start pushing the settings to the infrastructure; returns the job."""
        answer = self.client._call(
            "POST", self._path("actions", "update"), need=REQUIRED, policy=ONCE, check=self._show()
        )
        state = expect(answer, dict, "the update job")
        return DSSFuture(self.client, state.get("jobId"), state)

    def delete(self, disable_first: bool = False, ignore_pre_delete_errors: bool = False) -> Any:
        """Delete the deployment; an enabled one needs ``disable_first`` (as the official client).

        Disabling first only changes the settings: without an update in between, the service
        stays on the nodes of a static infrastructure (DSS's behaviour).
        """
        enabled = self.get_status().light_status.get("deploymentBasicInfo", {}).get("enabled")
        if enabled and not disable_first:
            raise UsageError(
                f"deployment {self.deployment_id} is enabled: disable it first",
                hint="pass --disable-first (disable_first=True in the library)",
            )
        if enabled:
            settings = self.get_settings()
            settings.set_enabled(False)
            settings.save()
        return self.client._call(
            "DELETE",
            self._path(),
            params={"ignorePreDeleteErrors": ignore_pre_delete_errors},
            policy=GONE_MEANS_DONE,
            check=deployer_check("deployments", "list"),
        )

    def get_open_api(self) -> DSSAPIDeployerDeploymentOpenApi:
        """The OpenAPI document of the deployed service (404 when none is enabled)."""
        result = self.client._raw("GET", self._path("get-open-api"))
        return DSSAPIDeployerDeploymentOpenApi(result.content.decode("utf-8", "replace"))

    def run_test_queries(
        self, endpoint_id: Optional[str] = None, test_queries: Optional[list[Any]] = None
    ) -> Any:
        """Run test queries through the deployer (the version's own when none are given)."""
        params: dict[str, Any] = {}
        if endpoint_id is not None:
            params["endpointIdParam"] = endpoint_id
        if test_queries is not None:
            params["testQueriesParam"] = json.dumps(test_queries)
        return self._call_json(
            "POST", "actions", "run-test-queries", params=params, changes=False, policy=ONCE
        )

    def run_queries(
        self,
        queries: list[Any],
        endpoint_id: Optional[str] = None,
        adapt_query_for_infra_type: bool = True,
    ) -> Any:
        """Run queries through the deployer (needs the authorisation to query through it)."""
        params: dict[str, Any] = {
            "queries": json.dumps(queries),
            "adaptQueryForInfraType": adapt_query_for_infra_type,
        }
        if endpoint_id is not None:
            params["endpointId"] = endpoint_id
        return self._call_json(
            "POST", "actions", "run-queries", params=params, changes=False, policy=ONCE
        )

    def list_updates(self) -> list[DSSAPIDeployerDeploymentUpdateListItem]:
        """The update history, newest as DSS orders it."""
        answer = self.client._call("GET", self._path("update"), need=REQUIRED)
        items = expect_objects(answer, "the list of updates")
        return [
            DSSAPIDeployerDeploymentUpdateListItem(self.client, self.deployment_id, x)
            for x in items
        ]

    def get_update(self, timestamp: Any = None) -> DSSAPIDeployerDeploymentUpdate:
        """One update with its log: the last one, or the one started at ``timestamp``."""
        if timestamp is None:
            data = self._get("last-update", what="the last update")
        else:
            data = self._get("update", segment(timestamp, "update timestamp"), what="the update")
        return DSSAPIDeployerDeploymentUpdate(data)

    def _call_json(self, method: str, *path: str, **kwargs: Any) -> Any:
        return self.client._call(method, self._path(*path), need=REQUIRED, **kwargs)


class DSSAPIDeployerDeploymentSettings:
    """The settings of a deployment, changed locally then saved whole."""

    def __init__(
        self, client: DSSDeployerClient, deployment_id: str, settings: dict[str, Any]
    ) -> None:
        self.client = client
        self.deployment_id = deployment_id
        self.settings = settings

    def get_raw(self) -> dict[str, Any]:
        return self.settings

    def set_enabled(self, enabled: bool) -> None:
        self.settings["enabled"] = enabled

    def set_single_version(self, version: str) -> None:
        """Send all traffic to one version (takes effect at the next update)."""
        self.settings["generationsMapping"] = {"mode": "SINGLE_GENERATION", "generation": version}

    def save(self, ignore_warnings: bool = False) -> Any:
        path = (DEPLOYER, "deployments", segment(self.deployment_id, "deployment id"), "settings")
        return self.client._call(
            "PUT",
            path,
            params={"ignoreWarnings": ignore_warnings},
            body=self.settings,
            check=deployer_check("deployments", "show", self.deployment_id),
        )


class DSSAPIDeployerDeploymentStatus:
    """Light and heavy status of a deployment."""

    def __init__(
        self,
        client: DSSDeployerClient,
        deployment_id: str,
        light_status: dict[str, Any],
        heavy_status: dict[str, Any],
    ) -> None:
        self.client = client
        self.deployment_id = deployment_id
        self.light_status = light_status
        self.heavy_status = heavy_status

    def get_light(self) -> dict[str, Any]:
        return self.light_status

    def get_heavy(self) -> dict[str, Any]:
        return self.heavy_status

    def get_service_urls(self) -> list[str]:
        """Where the service answers: one URL per API node, or the Kubernetes public URL."""
        return service_urls(self.light_status, self.heavy_status)

    def get_health(self) -> Any:
        return self.heavy_status["health"]

    def get_health_messages(self) -> Any:
        return self.heavy_status["healthMessages"]


def service_urls(light: dict[str, Any], heavy: dict[str, Any]) -> list[str]:
    """The service URLs of a deployment from its light and heavy status."""
    info = light.get("deploymentBasicInfo") or {}
    service_id = info.get("deployedServiceId") or info.get("publishedServiceId")
    if isinstance(heavy.get("apiNodes"), list):
        bases = [str(n.get("url", "")).rstrip("/") for n in heavy["apiNodes"]]
    elif heavy.get("publicURL"):
        bases = [str(heavy["publicURL"]).rstrip("/")]
    else:
        raise ValueError("no public URL for this deployment yet: it may still be starting")
    return [f"{base}/public/api/v1/{service_id}" for base in bases]


class DSSAPIDeployerDeploymentOpenApi:
    """The OpenAPI document of a deployment, as text and parsed."""

    def __init__(self, open_api_doc_json: str) -> None:
        self.open_api_doc_json = open_api_doc_json

    def get(self) -> Any:
        return json.loads(self.open_api_doc_json)

    def get_raw(self) -> str:
        return self.open_api_doc_json


class DSSAPIDeployerDeploymentUpdateListItem:
    """One entry of the update history."""

    def __init__(self, client: DSSDeployerClient, deployment_id: str, data: dict[str, Any]):
        self._client = client
        self._deployment_id = deployment_id
        self._data = data

    @property
    def start_time(self) -> Any:
        return self._data["startTimestamp"]

    @property
    def type(self) -> Any:
        return self._data["type"]

    @property
    def status(self) -> Any:
        return self._data["status"]

    def get_raw(self) -> dict[str, Any]:
        return self._data

    def get_full_update(self) -> DSSAPIDeployerDeploymentUpdate:
        deployment = DSSAPIDeployerDeployment(self._client, self._deployment_id)
        return deployment.get_update(self._data["startTimestamp"])


class DSSAPIDeployerDeploymentUpdate:
    """One update with its log."""

    def __init__(self, update: dict[str, Any]) -> None:
        self._update = update

    @property
    def start_time(self) -> Any:
        return self._update["startTimestamp"]

    @property
    def end_time(self) -> Any:
        return self._update["endTimestamp"]

    @property
    def requester(self) -> Any:
        return self._update["requester"]

    @property
    def status(self) -> Any:
        return self._update["status"]

    @property
    def logs(self) -> Optional[list[Any]]:
        logs = self._update.get("logs")
        return logs.get("lines") if isinstance(logs, dict) else None

    def get_raw(self) -> dict[str, Any]:
        return self._update


__all__ = [
    "DSSAPIDeployerDeployment",
    "DSSAPIDeployerDeploymentOpenApi",
    "DSSAPIDeployerDeploymentSettings",
    "DSSAPIDeployerDeploymentStatus",
    "DSSAPIDeployerDeploymentUpdate",
    "DSSAPIDeployerDeploymentUpdateListItem",
    "service_urls",
]
