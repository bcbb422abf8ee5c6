"""DSSAPIDeployer: stages, infrastructures, published services and deployments."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.client.deployer.client import DEPLOYER, deployer_check, expect_objects
from apinode_admin_cli.client.deployer.deployments import DSSAPIDeployerDeployment
from apinode_admin_cli.client.deployer.infras import DSSAPIDeployerInfra
from apinode_admin_cli.client.deployer.services import DSSAPIDeployerService
from apinode_admin_cli.client.result import REQUIRED
from apinode_admin_cli.client.urls import segment

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient


def basic_id(item: Any, field: str) -> Any:
    """``item[field]["id"]``: the id of a listed object (light status)."""
    info = item.get(field)
    return info.get("id") if isinstance(info, dict) else None


class DSSAPIDeployer:
    """A handle on the API Deployer of one DSS instance."""

    def __init__(self, client: DSSDeployerClient) -> None:
        self.client = client

    def _list(self, kind: str, what: str) -> list[Any]:
        answer = self.client._call("GET", (DEPLOYER, kind), need=REQUIRED)
        return expect_objects(answer, what)

    # Deployments

    def list_deployments(self, as_objects: bool = True) -> list[Any]:
        """The deployments: handles, or their light statuses with ``as_objects=False``."""
        items = self._list("deployments", "the list of deployments")
        if not as_objects:
            return items
        return [
            DSSAPIDeployerDeployment(self.client, basic_id(x, "deploymentBasicInfo")) for x in items
        ]

    def get_deployment(self, deployment_id: str) -> DSSAPIDeployerDeployment:
        """A handle on one deployment (nothing is sent)."""
        return DSSAPIDeployerDeployment(self.client, deployment_id)

    def create_deployment(
        self,
        deployment_id: str,
        service_id: str,
        infra_id: str,
        version: str,
        endpoint_id: Optional[str] = None,
        ignore_warnings: bool = False,
        authorizations_to_query_through_deployer: Optional[list[Any]] = None,
    ) -> DSSAPIDeployerDeployment:
        """Create a deployment of ``version`` of a service on an infrastructure (not started)."""
        for value, what in (
            (deployment_id, "deployment id"),
            (service_id, "service id"),
            (infra_id, "infrastructure id"),
            (version, "version id"),
        ):
            segment(value, what)
        body = {
            "deploymentId": deployment_id,
            "publishedServiceId": service_id,
            "infraId": infra_id,
            "version": version,
            "endpointId": endpoint_id,
            "authorizationsToQueryThroughDeployer": authorizations_to_query_through_deployer,
        }
        self.client._call(
            "POST",
            (DEPLOYER, "deployments"),
            params={"ignoreWarnings": ignore_warnings},
            body=body,
            check=deployer_check("deployments", "show", deployment_id),
        )
        return self.get_deployment(deployment_id)

    # Stages

    def list_stages(self) -> list[Any]:
        """The deployment stages, ``{id, desc}`` each."""
        return self._list("stages", "the list of stages")

    # Infrastructures

    def list_infras(self, as_objects: bool = True) -> list[Any]:
        """The infrastructures: handles, or their light statuses with ``as_objects=False``."""
        items = self._list("infras", "the list of infrastructures")
        if not as_objects:
            return items
        return [DSSAPIDeployerInfra(self.client, basic_id(x, "infraBasicInfo")) for x in items]

    def create_infra(
        self, infra_id: str, stage: str, type: str, govern_check_policy: str = "NO_CHECK"
    ) -> DSSAPIDeployerInfra:
        """Create an infrastructure of ``type`` (STATIC, K8S...) in ``stage``."""
        segment(infra_id, "infrastructure id")
        body = {
            "id": infra_id,
            "stage": stage,
            "type": type,
            "governCheckPolicy": govern_check_policy,
        }
        self.client._call(
            "POST",
            (DEPLOYER, "infras"),
            body=body,
            check=deployer_check("infras", "show", infra_id),
        )
        return self.get_infra(infra_id)

    def get_infra(self, infra_id: str) -> DSSAPIDeployerInfra:
        """A handle on one infrastructure (nothing is sent)."""
        return DSSAPIDeployerInfra(self.client, infra_id)

    # Published services

    def list_services(self, as_objects: bool = True) -> list[Any]:
        """The published services: handles, or light statuses with ``as_objects=False``."""
        items = self._list("services", "the list of services")
        if not as_objects:
            return items
        return [DSSAPIDeployerService(self.client, basic_id(x, "serviceBasicInfo")) for x in items]

    def create_service(self, service_id: str) -> DSSAPIDeployerService:
        """Create a published service (then upload versions to it)."""
        segment(service_id, "service id")
        self.client._call(
            "POST",
            (DEPLOYER, "services"),
            body={"publishedServiceId": service_id},
            check=deployer_check("services", "show", service_id),
        )
        return self.get_service(service_id)

    def get_service(self, service_id: str) -> DSSAPIDeployerService:
        """A handle on one published service (nothing is sent)."""
        return DSSAPIDeployerService(self.client, service_id)


__all__ = ["DSSAPIDeployer"]
