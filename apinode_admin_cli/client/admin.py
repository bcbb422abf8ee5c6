"""APINodeAdminClient: the official client's admin API, on one careful transport."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

from apinode_admin_cli.client import errormap
from apinode_admin_cli.client.auth import APINodeAuth
from apinode_admin_cli.client.failures import check_command
from apinode_admin_cli.client.options import TransportOptions, build_transport
from apinode_admin_cli.client.result import (
    IGNORED,
    OPTIONAL,
    REQUIRED,
    HttpResult,
    LostAnswer,
    expect,
    expect_objects,
)
from apinode_admin_cli.client.retry import ONCE, REPEATABLE
from apinode_admin_cli.client.service import APINodeService
from apinode_admin_cli.client.urls import ClientCert
from apinode_admin_cli.errors import AuthenticationError, InvalidResponseError, NotAnAPINodeError

if TYPE_CHECKING:
    from typing_extensions import Unpack

ADMIN = ("admin", "api")
SERVICES_CHECK = check_command("services", "list")


class PingResult:
    """What ``ping`` learnt: reachability, whether the key works, round trip, versions."""

    __slots__ = (
        "alive",
        "authenticated",
        "dss_api_version",
        "dss_version",
        "elapsed_ms",
        "message",
        "status",
    )

    def __init__(
        self,
        alive: bool,
        authenticated: bool,
        elapsed_ms: float,
        status: Optional[int],
        dss_version: Optional[str],
        dss_api_version: Optional[str],
        message: Optional[str] = None,
    ) -> None:
        self.alive = alive
        self.authenticated = authenticated
        self.elapsed_ms = elapsed_ms
        self.status = status
        self.dss_version = dss_version
        self.dss_api_version = dss_api_version
        self.message = message

    @property
    def drained(self) -> bool:
        """The node answers its admin API but fails ``/isAlive/``: out of its load balancer.

        That is what ``apinode-not-alive.txt`` in its data dir does (Dataiku's HA guide).
        """
        return not self.alive and (self.authenticated or self.status in (401, 403))

    def __repr__(self) -> str:
        return (
            f"PingResult(alive={self.alive}, authenticated={self.authenticated}, "
            f"status={self.status}, elapsed_ms={self.elapsed_ms:.1f})"
        )


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
        need: str = IGNORED,
        policy: Optional[str] = None,
        check: Optional[str] = None,
    ) -> Any:
        """Send an admin request and return its JSON, as much as ``need`` asks (see result).

        ``policy`` and ``check`` as in ``Transport.request``. A delete found already done after
        a lost answer returns a ``LostAnswer``.
        """
        result = self._transport.request(
            method,
            (*ADMIN, *path),
            params=params,
            body=body,
            sensitive=sensitive,
            policy=policy,
            check=check,
        )
        if result.answer_lost:
            return LostAnswer()
        return result.parse(need)

    # Services

    def create_service(self, service_id: str) -> Any:
        """Create an API service."""
        # Trailing slash as the official client sends it, so the wire stays identical.
        return self._call(
            "POST", ("services", ""), body={"serviceId": service_id}, check=SERVICES_CHECK
        )

    def list_services(self) -> Any:
        """The declared services with their enabled state."""
        answer = self._call("GET", ("services",), need=REQUIRED)
        return expect_objects(answer, "the list of services", "serviceId")

    def service(self, service_id: str) -> APINodeService:
        """A handle on one service."""
        return APINodeService(self, service_id)

    def auth(self) -> APINodeAuth:
        """A handle on the admin API keys."""
        return APINodeAuth(self)

    def clean_unused_services_and_generations(self) -> Any:
        """Delete disabled services, unused generations and code envs; return the summary."""
        # ONCE: a repeat would answer an empty summary, hiding what the first one deleted.
        return self._call(
            "DELETE", ("services-clean-unused",), need=OPTIONAL, policy=ONCE, check=SERVICES_CHECK
        )

    # Node-wide

    def get_metrics(self) -> Any:
        """The node's metrics object."""
        return expect(self._call("GET", ("metrics",), need=REQUIRED), dict, "the metrics")

    def import_code_env_in_cache(self, file_dir: str, language: str) -> Any:
        """Import an exported code env folder (on the node's disk) into the global cache."""
        params = {"fileDir": file_dir, "language": language}
        return self._call("POST", ("cached-code-envs",), params=params, need=OPTIONAL)

    def register_code_env_in_cache(
        self, exported_env_dir: str, built_env_dir: str, language: str
    ) -> Any:
        """Register an already built code env in the global cache."""
        params = {
            "exportedEnvDir": exported_env_dir,
            "builtEnvDir": built_env_dir,
            "language": language,
        }
        return self._call("POST", ("register-global-code-env",), params=params, need=OPTIONAL)

    def clean_code_env_cache(self) -> Any:
        """Delete unused code envs from the cache; return the summary."""
        # ONCE, like clean-unused: its answer lists what it deleted and cannot be rebuilt.
        return self._call("DELETE", ("cached-code-envs",), need=OPTIONAL, policy=ONCE)

    def import_model_archive_in_cache(self, model_archive_path: str) -> Any:
        """Import an exported model archive (on the node's disk) into the model cache."""
        params = {"modelArchivePath": model_archive_path}
        return self._call("POST", ("model-cache",), params=params, need=OPTIONAL)

    def clear_model_cache(self) -> Any:
        """Empty the model cache."""
        # REPEATABLE: emptying twice is emptying once, and its answer is ignored anyway.
        return self._call("DELETE", ("model-cache",), policy=REPEATABLE)

    # Health

    def ping(self) -> PingResult:
        """Probe ``/isAlive/`` then an authenticated admin GET.

        Connection failures raise, and so does an answer that no API node gives: a
        ``NotAnAPINodeError`` (a ``ConnectionFailure``) whose message names what answered.
        """
        # Once: a drained node answers 503 on purpose, and retrying only delays that verdict.
        alive = self._transport.request("GET", ("isAlive", ""), raise_for_status=False, policy=ONCE)
        if errormap.not_a_node_answer(alive.status, alive.content):
            raise self._not_a_node(alive, "/isAlive/")
        probe: Optional[HttpResult] = None
        message = None
        status: Optional[int] = None
        try:
            probe = self._transport.request("GET", (*ADMIN, "services"))
        except AuthenticationError as exc:
            message, status = exc.message, exc.status
        if probe is not None:
            status = probe.status
            try:
                expect_objects(probe.json(), "the list of services", "serviceId")
            except InvalidResponseError:
                raise self._not_a_node(probe, "/admin/api/services") from None
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

    def is_alive(self) -> bool:
        """Whether ``/isAlive/`` answers 2xx now: one probe, no retry, no key needed.

        A drained node (``apinode-not-alive.txt`` in its data dir) answers 503 while its
        services keep answering. Connection failures raise.
        """
        answer = self._transport.request(
            "GET", ("isAlive", ""), raise_for_status=False, policy=ONCE
        )
        if errormap.not_a_node_answer(answer.status, answer.content):
            raise self._not_a_node(answer, "/isAlive/")
        return 200 <= answer.status < 300

    def _not_a_node(self, answer: HttpResult, path: str) -> NotAnAPINodeError:
        ctype = answer.headers.get("Content-Type", "")
        return errormap.not_an_api_node(
            self.uri, "GET", path, answer.status, answer.reason, answer.content, ctype
        )
