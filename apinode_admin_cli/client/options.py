"""Constructor options shared by the admin and the user-API clients."""

from __future__ import annotations

import warnings
from typing import Any, Callable, Mapping, Optional, TypedDict, Union

from apinode_admin_cli.client import errormap
from apinode_admin_cli.client.transport import Transport
from apinode_admin_cli.client.urls import ClientCert, parse_node_uri


class TransportOptions(TypedDict, total=False):
    """Keyword options of both clients beyond the official ones; defaults live in Transport.

    ``timeout`` bounds each whole attempt (connect, headers and body; default 60 s) and
    ``connect_timeout`` opening the connection (default 10 s, never more than ``timeout``).
    ``deadline``, a ``time.monotonic()`` value, bounds every request of the client, retries and
    their waits included. Absurd values (NaN, infinite, 0 or less, over a week) raise ConfigError.
    ``auth_hint`` replaces the hint of an authentication failure, for callers that know better
    where the key came from (a fleet: each node's profile).
    """

    ca_bundle: Optional[str]
    timeout: float
    connect_timeout: float
    deadline: float
    retries: int
    retry_after_cap: float
    backoff_base: float
    max_body_bytes: int
    sleep: Callable[[float], None]
    insecure_tls: bool  # deprecated spelling of no_check_certificate, as in the official client
    auth_hint: str


def build_transport(
    uri: str,
    api_key: Optional[str],
    no_check_certificate: bool,
    client_certificate: ClientCert,
    options: Mapping[str, Any],
    *,
    bearer_token: Optional[str] = None,
    auth_hint: str = errormap.ADMIN_AUTH_HINT,
    check_uri: Callable[[str], str] = parse_node_uri,
) -> Transport:
    """A Transport from the official constructor arguments plus ``TransportOptions``.

    ``check_uri`` checks and normalises the base URL (a node's by default).
    """
    kwargs = dict(options)
    if "insecure_tls" in kwargs:
        warnings.warn(
            "insecure_tls is deprecated; use no_check_certificate",
            DeprecationWarning,
            stacklevel=3,
        )
        no_check_certificate = bool(kwargs.pop("insecure_tls")) or no_check_certificate
    unknown = sorted(kwargs.keys() - TransportOptions.__annotations__.keys())
    if unknown:
        # The official client swallows unknown keyword arguments; say so instead of failing.
        warnings.warn(f"ignoring unknown arguments: {', '.join(unknown)}", stacklevel=3)
        for name in unknown:
            del kwargs[name]
    ca_bundle = kwargs.pop("ca_bundle", None)
    auth_hint = kwargs.pop("auth_hint", None) or auth_hint
    verify: Union[bool, str] = False if no_check_certificate else (ca_bundle or True)
    return Transport(
        check_uri(uri),
        api_key,
        bearer_token=bearer_token,
        verify=verify,
        cert=client_certificate,
        auth_hint=auth_hint,
        **kwargs,
    )
