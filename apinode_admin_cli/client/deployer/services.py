"""Published services of the API Deployer: status, versions (upload, download, delete)."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Optional

from apinode_admin_cli.client.deployer.client import DEPLOYER, deployer_check, expect
from apinode_admin_cli.client.result import REQUIRED
from apinode_admin_cli.client.retry import GONE_MEANS_DONE
from apinode_admin_cli.client.urls import segment

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient
    from apinode_admin_cli.client.deployer.deployments import DSSAPIDeployerDeployment


class DSSAPIDeployerService:
    """A handle on one published service."""

    def __init__(self, client: DSSDeployerClient, service_id: str) -> None:
        self.client = client
        self.service_id = service_id

    def __repr__(self) -> str:
        return f"DSSAPIDeployerService({self.service_id!r})"

    @property
    def id(self) -> str:
        return self.service_id

    def _path(self, *more: str) -> tuple[str, ...]:
        return (DEPLOYER, "services", segment(self.service_id, "service id"), *more)

    def _versions_check(self) -> str:
        return deployer_check("services", "versions", self.service_id)

    def get_status(self) -> DSSAPIDeployerServiceStatus:
        """The light status: versions (``packages``) and deployments."""
        light = expect(self.client._call("GET", self._path(), need=REQUIRED), dict, "the service")
        return DSSAPIDeployerServiceStatus(self.client, self.service_id, light)

    def import_version(self, fp: IO[bytes]) -> Any:
        """Upload a version: an API service package exported from DSS, as an open file."""
        return self.client._call(
            "POST", self._path("versions"), files={"file": fp}, check=self._versions_check()
        )

    def get_settings(self) -> DSSAPIDeployerServiceSettings:
        """The settings (mostly permissions)."""
        answer = self.client._call("GET", self._path("settings"), need=REQUIRED)
        settings = expect(answer, dict, "the service settings")
        return DSSAPIDeployerServiceSettings(self.client, self.service_id, settings)

    def delete_version(self, version: str) -> Any:
        """Delete a version that no deployment uses."""
        path = self._path("versions", segment(version, "version id"))
        return self.client._call(
            "DELETE", path, policy=GONE_MEANS_DONE, check=self._versions_check()
        )

    def get_version_bytes(self, version_id: str) -> bytes:
        """The package of a version, whole."""
        path = self._path("versions", segment(version_id, "version id"))
        return bytes(self.client._raw("GET", path).content)

    def download_version_to_file(self, version_id: str, path: str) -> None:
        """Write the package of a version to ``path``."""
        data = self.get_version_bytes(version_id)
        with open(path, "wb") as handle:
            handle.write(data)

    def delete(self) -> Any:
        """Delete the service (DSS refuses while it has deployments)."""
        return self.client._call(
            "DELETE",
            self._path(),
            policy=GONE_MEANS_DONE,
            check=deployer_check("services", "list"),
        )


class DSSAPIDeployerServiceSettings:
    """The settings of a published service, changed locally then saved whole."""

    def __init__(
        self, client: DSSDeployerClient, service_id: str, settings: dict[str, Any]
    ) -> None:
        self.client = client
        self.service_id = service_id
        self.settings = settings

    def get_raw(self) -> dict[str, Any]:
        return self.settings

    def save(self) -> Any:
        path = (DEPLOYER, "services", segment(self.service_id, "service id"), "settings")
        return self.client._call("PUT", path, body=self.settings)


class DSSAPIDeployerServiceStatus:
    """The light status of a published service."""

    def __init__(
        self, client: DSSDeployerClient, service_id: str, light_status: dict[str, Any]
    ) -> None:
        self.client = client
        self.service_id = service_id
        self.light_status = light_status

    def get_deployments(self, infra_id: Optional[str] = None) -> list[DSSAPIDeployerDeployment]:
        from apinode_admin_cli.client.deployer.deployments import DSSAPIDeployerDeployment

        return [
            DSSAPIDeployerDeployment(self.client, d["id"])
            for d in self.light_status.get("deployments") or []
            if infra_id is None or d.get("infraId") == infra_id
        ]

    def get_versions(self) -> list[Any]:
        return list(self.light_status.get("packages") or [])

    def get_raw(self) -> dict[str, Any]:
        return self.light_status


__all__ = ["DSSAPIDeployerService", "DSSAPIDeployerServiceSettings", "DSSAPIDeployerServiceStatus"]
