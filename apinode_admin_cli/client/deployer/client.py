"""DSSDeployerClient: the part of DSS's public API that drives the API Deployer.

It sends what ``dataikuapi.DSSClient`` sends (paths under ``/dip/publicapi``, Basic auth with
the key as user name, JSON bodies without a content type) through the node client's transport,
so timeouts, retries, TLS, logging and error mapping are the same as for API nodes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from apinode_admin_cli.client import result
from apinode_admin_cli.client.failures import check_command
from apinode_admin_cli.client.options import TransportOptions, build_transport
from apinode_admin_cli.client.result import IGNORED, REQUIRED, LostAnswer
from apinode_admin_cli.client.urls import ClientCert, check_dss_uri
from apinode_admin_cli.errors import APIError, ApinodeAdminError, ConfigError, ConflictError

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from apinode_admin_cli.client.deployer.apideployer import DSSAPIDeployer
    from apinode_admin_cli.client.deployer.future import DSSFuture

PUBLIC_API = ("dip", "publicapi")
DEPLOYER = "api-deployer"
DSS_AUTH_HINT = (
    "check the DSS API key (--dss-api-key-file, --dss-api-key or APINODE_ADMIN_DSS_API_KEY): "
    "it must be a DSS API key allowed to use the API Deployer (API nodes' admin keys are not)"
)
_DSS_URI_HINT = "give the DSS base URL, for example https://dss.example.com:11200"

# The transport words its errors for API nodes; said of DSS, they must point at DSS's settings.
_WORDING = (
    (re.compile(r"does not look like an API node"), "does not look like DSS"),
    (re.compile(r"is the URI pointing at a DSS API node\?"), "is --dss-uri pointing at DSS?"),
    (re.compile(r"\bthe API node\b"), "DSS"),
    (re.compile(r"\ban API node\b"), "DSS"),
    (re.compile(r"\bThe node\b"), "DSS"),
    (re.compile(r"\bthe node's\b"), "DSS's"),
    (re.compile(r"\bthe node\b"), "DSS"),
    (re.compile(r"--uri\b"), "--dss-uri"),
    (re.compile(r"\bAPINODE_ADMIN_URI\b"), "APINODE_ADMIN_DSS_URI"),
    (re.compile(r"the profile's uri"), "the profile's dss_uri"),
    (re.compile(r"\(default port 12000\)"), "(default port 11200)"),
    (re.compile(r"its log \(run/apimain\.log\)"), "its log (run/backend.log)"),
    (re.compile(r"GET (\S+)/isAlive/ answers 200"), r"\1/dip/publicapi/ answers"),
)


def dss_wording(exc: ApinodeAdminError) -> ApinodeAdminError:
    """The same error, its message and hint speaking of DSS rather than of an API node."""
    if exc.hint == DSS_AUTH_HINT:
        return exc
    # DSS's own words (an error it explained in JSON) are quoted as they are.
    ours = not (isinstance(exc, APIError) and (exc.error_type or exc.detailed_message))
    for pattern, replacement in _WORDING:
        if ours:
            exc.message = pattern.sub(replacement, exc.message)
        if exc.hint:
            exc.hint = pattern.sub(replacement, exc.hint)
    if isinstance(exc, ConflictError) and "already exists" not in exc.message.lower():
        # DSS also answers a conflict for what is still in use (a service with deployments).
        exc.hint = "it is in use or already exists: DSS's message says which"
    exc.args = (exc.message,)
    return exc


def expect(answer: Any, kind: type, what: str) -> Any:
    """``answer`` if it is of ``kind``; else DSS did not answer as its public API does."""
    try:
        return result.expect(answer, kind, what)
    except ApinodeAdminError as exc:
        raise dss_wording(exc) from None


def expect_objects(answer: Any, what: str) -> list[Any]:
    """``answer`` if it is an array of objects."""
    try:
        return result.expect_objects(answer, what)
    except ApinodeAdminError as exc:
        raise dss_wording(exc) from None


def parse_dss_uri(uri: str) -> str:
    """DSS's base URL without a trailing slash, or ConfigError saying what is wrong."""
    if not isinstance(uri, str) or not uri.strip():
        raise ConfigError("no DSS URI given", hint=_DSS_URI_HINT)
    try:
        return check_dss_uri(uri)
    except ValueError as exc:
        raise ConfigError(f"invalid DSS URI: {exc}", hint=_DSS_URI_HINT) from None


class DSSInstanceInfo:
    """What ``GET /instance-info`` says of the DSS node."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data

    @property
    def raw(self) -> Mapping[str, Any]:
        return self._data

    @property
    def node_id(self) -> Any:
        return self._data["nodeId"]

    @property
    def node_name(self) -> Any:
        return self._data["nodeName"]

    @property
    def node_type(self) -> Any:
        return self._data["nodeType"]


class DSSDeployerClient:
    """Entry point for the API Deployer of one DSS instance (``DSSClient``'s deployer part)."""

    def __init__(
        self,
        host: str,
        api_key: Optional[str] = None,
        no_check_certificate: bool = False,
        client_certificate: ClientCert = None,
        jwt_bearer_token: Optional[str] = None,
        **options: Unpack[TransportOptions],
    ) -> None:
        """Arguments as ``dataikuapi.DSSClient``; keyword options: see ``TransportOptions``."""
        if not api_key and not jwt_bearer_token:
            raise ConfigError(
                "no DSS API key given",
                hint="pass api_key (or jwt_bearer_token); the CLI reads --dss-api-key-file",
            )
        try:
            self._transport = build_transport(
                host,
                api_key,
                no_check_certificate,
                client_certificate,
                options,
                bearer_token=jwt_bearer_token,
                auth_hint=DSS_AUTH_HINT,
                check_uri=parse_dss_uri,
            )
        except ApinodeAdminError as exc:
            raise dss_wording(exc) from None
        self.api_key = api_key
        self.host = self._transport.root

    def __repr__(self) -> str:
        return f"DSSDeployerClient({self.host!r})"

    def __enter__(self) -> DSSDeployerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the HTTP connections."""
        self._transport.close()

    @property
    def secrets(self) -> list[Optional[str]]:
        return self._transport.secrets

    def _call(
        self,
        method: str,
        path: Sequence[str],
        *,
        params: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        files: Optional[Mapping[str, Any]] = None,
        need: str = IGNORED,
        policy: Optional[str] = None,
        check: Optional[str] = None,
        changes: Optional[bool] = None,
    ) -> Any:
        """Send a public-API request and return its JSON, as much as ``need`` asks."""
        answer = self._raw(
            method,
            path,
            params=params,
            body=body,
            files=files,
            policy=policy,
            check=check,
            changes=changes,
        )
        if answer.answer_lost:
            return LostAnswer()
        try:
            return answer.parse(need)
        except ApinodeAdminError as exc:
            raise dss_wording(exc) from None

    def _raw(self, method: str, path: Sequence[str], **kwargs: Any) -> Any:
        """The transport's answer to a public-API request, errors said of DSS."""
        try:
            return self._transport.request(method, (*PUBLIC_API, *path), **kwargs)
        except ApinodeAdminError as exc:
            raise dss_wording(exc) from exc.__cause__

    # What the official DSSClient offers around the deployer

    def get_apideployer(self) -> DSSAPIDeployer:
        """A handle on the API Deployer."""
        from apinode_admin_cli.client.deployer.apideployer import DSSAPIDeployer

        return DSSAPIDeployer(self)

    def get_instance_info(self) -> DSSInstanceInfo:
        """Who answers: node id, name and type (``DEPLOYER``, ``DESIGN``...)."""
        answer = self._call("GET", ("instance-info",), need=REQUIRED)
        return DSSInstanceInfo(expect(answer, dict, "the instance info"))

    def get_future(self, job_id: str) -> DSSFuture:
        """A handle on a long-running job."""
        from apinode_admin_cli.client.deployer.future import DSSFuture

        return DSSFuture(self, job_id)

    def list_futures(self, as_objects: bool = False, all_users: bool = False) -> Any:
        """The running jobs (not scenarios), as states or as ``DSSFuture`` objects."""
        from apinode_admin_cli.client.deployer.future import DSSFuture

        params = {"withScenarios": False, "withNotScenarios": True, "allUsers": all_users}
        answer = expect(
            self._call("GET", ("futures", ""), params=params, need=REQUIRED), list, "the futures"
        )
        if as_objects:
            return [DSSFuture(self, state.get("jobId"), state) for state in answer]
        return answer


def deployer_check(*words: str) -> str:
    """The command that shows whether a write to the deployer took effect."""
    return check_command("deployer", *words)


__all__ = ["DSSDeployerClient", "DSSInstanceInfo", "dss_wording", "parse_dss_uri"]
