"""Infrastructures of the API Deployer: light status, settings (API nodes), deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.client.deployer.client import DEPLOYER, deployer_check, expect
from apinode_admin_cli.client.result import REQUIRED
from apinode_admin_cli.client.retry import GONE_MEANS_DONE
from apinode_admin_cli.client.urls import segment

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient
    from apinode_admin_cli.client.deployer.deployments import DSSAPIDeployerDeployment


class DSSAPIDeployerInfra:
    """A handle on one infrastructure."""

    def __init__(self, client: DSSDeployerClient, infra_id: str) -> None:
        self.client = client
        self.infra_id = infra_id

    def __repr__(self) -> str:
        return f"DSSAPIDeployerInfra({self.infra_id!r})"

    @property
    def id(self) -> str:
        return self.infra_id

    def _path(self, *more: str) -> tuple[str, ...]:
        return (DEPLOYER, "infras", segment(self.infra_id, "infrastructure id"), *more)

    def get_status(self) -> DSSAPIDeployerInfraStatus:
        """The light status: basic info and the deployments on it."""
        light = expect(
            self.client._call("GET", self._path(), need=REQUIRED), dict, "the infrastructure"
        )
        return DSSAPIDeployerInfraStatus(self.client, self.infra_id, light)

    def get_settings(self) -> DSSAPIDeployerInfraSettings:
        """The settings (type, API nodes with their admin keys, permissions)."""
        answer = self.client._call("GET", self._path("settings"), need=REQUIRED)
        settings = expect(answer, dict, "the infrastructure settings")
        return DSSAPIDeployerInfraSettings(self.client, self.infra_id, settings)

    def delete(self) -> Any:
        """Delete the infrastructure (DSS refuses while deployments use it)."""
        return self.client._call(
            "DELETE",
            self._path(),
            policy=GONE_MEANS_DONE,
            check=deployer_check("infras", "list"),
        )


class DSSAPIDeployerInfraSettings:
    """The settings of an infrastructure, changed locally then saved whole."""

    def __init__(self, client: DSSDeployerClient, infra_id: str, settings: dict[str, Any]) -> None:
        self.client = client
        self.infra_id = infra_id
        self.settings = settings

    def get_type(self) -> Any:
        return self.settings["type"]

    def get_raw(self) -> dict[str, Any]:
        return self.settings

    def add_apinode(self, url: str, api_key: str, graphite_prefix: Optional[str] = None) -> None:
        """Add an API node (its base URL and an admin key of it) to a static infrastructure."""
        node = {"url": url, "adminAPIKey": api_key, "graphitePrefix": graphite_prefix}
        self.settings.setdefault("apiNodes", []).append(node)

    def remove_apinode(self, node_url: str) -> None:
        """Remove every API node of this URL."""
        nodes = self.settings.get("apiNodes") or []
        self.settings["apiNodes"] = [n for n in nodes if n.get("url") != node_url]

    def save(self) -> Any:
        """Send the settings back to DSS."""
        path = (DEPLOYER, "infras", segment(self.infra_id, "infrastructure id"), "settings")
        return self.client._call(
            "PUT",
            path,
            body=self.settings,
            check=deployer_check("infras", "show", self.infra_id),
        )


class DSSAPIDeployerInfraStatus:
    """The light status of an infrastructure."""

    def __init__(
        self, client: DSSDeployerClient, infra_id: str, light_status: dict[str, Any]
    ) -> None:
        self.client = client
        self.infra_id = infra_id
        self.light_status = light_status

    def get_deployments(self) -> list[DSSAPIDeployerDeployment]:
        from apinode_admin_cli.client.deployer.deployments import DSSAPIDeployerDeployment

        return [
            DSSAPIDeployerDeployment(self.client, d["id"])
            for d in self.light_status.get("deployments") or []
        ]

    def get_raw(self) -> dict[str, Any]:
        return self.light_status


__all__ = ["DSSAPIDeployerInfra", "DSSAPIDeployerInfraSettings", "DSSAPIDeployerInfraStatus"]
