"""APINodeAdminClient: the official client's admin API, on one careful transport."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

from apinode_admin_cli.client.auth import APINodeAuth
from apinode_admin_cli.client.options import TransportOptions, build_transport
from apinode_admin_cli.client.result import HttpResult, expect
from apinode_admin_cli.client.service import APINodeService
from apinode_admin_cli.client.urls import ClientCert
from apinode_admin_cli.errors import AuthenticationError

if TYPE_CHECKING:
    from typing_extensions import Unpack

ADMIN = ("admin", "api")


@dataclass(frozen=True)
class PingResult:
    """What ``ping`` learnt: reachability, whether the key works, round trip, versions."""

    alive: bool
    authenticated: bool
    elapsed_ms: float
    status: Optional[int]
    dss_version: Optional[str]
    dss_api_version: Optional[str]
    message: Optional[str] = None


class APINodeAdminClient:
    """Entry point for the admin API of one DSS API node."""

    def __init__(
        self,
        uri: str,
        api_key: str,
        no_check_certificate: bool = False,
        client_certificate: ClientCert = None,
        **options: Unpack[TransportOptions],
    ) -> None:
        """Positional arguments as in dataikuapi; keyword options: see ``TransportOptions``."""
        self._transport = build_transport(
            uri, api_key, no_check_certificate, client_certificate, options
        )
        self.api_key = api_key
        self.uri = self._transport.root
        self.base_uri = self.uri + "/admin/api"

    def __repr__(self) -> str:
        return f"APINodeAdminClient({self.uri!r})"

    def __enter__(self) -> APINodeAdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._transport.close()

    def _call(
        self,
        method: str,
        path: Sequence[str],
        *,
        params: Optional[dict[str, Any]] = None,
        body: Any = None,
        sensitive: Sequence[str] = (),
        required: bool = False,
    ) -> Any:
        """Send an admin request and return its JSON (None for an empty action answer)."""
        result = self._transport.request(
            method, (*ADMIN, *path), params=params, body=body, sensitive=sensitive
        )
        return result.json(required=required)

    # Services

    def create_service(self, service_id: str) -> Any:
        """Create an API service."""
        # Trailing slash as the official client sends it, so the wire stays identical.
        return self._call("POST", ("services", ""), body={"serviceId": service_id})

    def list_services(self) -> Any:
        """The declared services with their enabled state."""
        return expect(self._call("GET", ("services",), required=True), list, "list of services")

    def service(self, service_id: str) -> APINodeService:
        """A handle on one service."""
        return APINodeService(self, service_id)

    def auth(self) -> APINodeAuth:
        """A handle on the admin API keys."""
        return APINodeAuth(self)

    def clean_unused_services_and_generations(self) -> Any:
        """Delete disabled services, unused generations and code envs; return the summary."""
        return self._call("DELETE", ("services-clean-unused",))

    # Node-wide

    def get_metrics(self) -> Any:
        """The node's metrics object."""
        return expect(self._call("GET", ("metrics",), required=True), dict, "metrics")

    def import_code_env_in_cache(self, file_dir: str, language: str) -> Any:
        """Import an exported code env folder (on the node's disk) into the global cache."""
        params = {"fileDir": file_dir, "language": language}
        return self._call("POST", ("cached-code-envs",), params=params)

    def register_code_env_in_cache(
        self, exported_env_dir: str, built_env_dir: str, language: str
    ) -> Any:
        """Register an already built code env in the global cache."""
        params = {
            "exportedEnvDir": exported_env_dir,
            "builtEnvDir": built_env_dir,
            "language": language,
        }
        return self._call("POST", ("register-global-code-env",), params=params)

    def clean_code_env_cache(self) -> Any:
        """Delete unused code envs from the cache; return the summary."""
        return self._call("DELETE", ("cached-code-envs",))

    def import_model_archive_in_cache(self, model_archive_path: str) -> Any:
        """Import an exported model archive (on the node's disk) into the model cache."""
        params = {"modelArchivePath": model_archive_path}
        return self._call("POST", ("model-cache",), params=params)

    def clear_model_cache(self) -> Any:
        """Empty the model cache."""
        return self._call("DELETE", ("model-cache",))

    # Health

    def ping(self) -> PingResult:
        """Probe ``/isAlive/`` then an authenticated admin GET; connection failures raise."""
        alive = self._transport.request("GET", ("isAlive", ""), raise_for_status=False)
        probe: Optional[HttpResult] = None
        message = None
        status: Optional[int] = None
        try:
            probe = self._transport.request("GET", (*ADMIN, "services"))
            status = probe.status
        except AuthenticationError as exc:
            message, status = exc.message, exc.status
        headers = probe.headers if probe is not None else alive.headers
        return PingResult(
            alive=200 <= alive.status < 300,
            authenticated=probe is not None,
            elapsed_ms=alive.elapsed_ms,
            status=status,
            dss_version=headers.get("DSS-Version") or alive.headers.get("DSS-Version"),
            dss_api_version=headers.get("DSS-API-Version") or alive.headers.get("DSS-API-Version"),
            message=message,
        )
