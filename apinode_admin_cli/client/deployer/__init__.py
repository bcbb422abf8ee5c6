"""The API Deployer client: ``dataikuapi``'s deployer classes, on the node client's transport.

``DSSDeployerClient(host, api_key).get_apideployer()`` gives what
``dataikuapi.DSSClient(host, api_key).get_apideployer()`` gives, with the same names, sending
the same requests, plus a bounded ``DSSFuture.wait_for_result(timeout=...)`` and errors from
the package's exception tree. Importing this package does not import ``requests``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apinode_admin_cli.lazy import lazy_exports

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.apideployer import DSSAPIDeployer
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient, DSSInstanceInfo
    from apinode_admin_cli.client.deployer.deployments import (
        DSSAPIDeployerDeployment,
        DSSAPIDeployerDeploymentSettings,
        DSSAPIDeployerDeploymentStatus,
        DSSAPIDeployerDeploymentUpdate,
        DSSAPIDeployerDeploymentUpdateListItem,
    )
    from apinode_admin_cli.client.deployer.future import DSSFuture
    from apinode_admin_cli.client.deployer.infras import (
        DSSAPIDeployerInfra,
        DSSAPIDeployerInfraSettings,
        DSSAPIDeployerInfraStatus,
    )
    from apinode_admin_cli.client.deployer.services import (
        DSSAPIDeployerService,
        DSSAPIDeployerServiceSettings,
        DSSAPIDeployerServiceStatus,
    )

_HOMES = {
    "DSSAPIDeployer": "apideployer",
    "DSSDeployerClient": "client",
    "DSSInstanceInfo": "client",
    "DSSAPIDeployerDeployment": "deployments",
    "DSSAPIDeployerDeploymentSettings": "deployments",
    "DSSAPIDeployerDeploymentStatus": "deployments",
    "DSSAPIDeployerDeploymentUpdate": "deployments",
    "DSSAPIDeployerDeploymentUpdateListItem": "deployments",
    "DSSFuture": "future",
    "DSSAPIDeployerInfra": "infras",
    "DSSAPIDeployerInfraSettings": "infras",
    "DSSAPIDeployerInfraStatus": "infras",
    "DSSAPIDeployerService": "services",
    "DSSAPIDeployerServiceSettings": "services",
    "DSSAPIDeployerServiceStatus": "services",
}

__getattr__ = lazy_exports(__name__, _HOMES)

__all__ = [
    "DSSAPIDeployer",
    "DSSAPIDeployerDeployment",
    "DSSAPIDeployerDeploymentSettings",
    "DSSAPIDeployerDeploymentStatus",
    "DSSAPIDeployerDeploymentUpdate",
    "DSSAPIDeployerDeploymentUpdateListItem",
    "DSSAPIDeployerInfra",
    "DSSAPIDeployerInfraSettings",
    "DSSAPIDeployerInfraStatus",
    "DSSAPIDeployerService",
    "DSSAPIDeployerServiceSettings",
    "DSSAPIDeployerServiceStatus",
    "DSSDeployerClient",
    "DSSFuture",
    "DSSInstanceInfo",
]
