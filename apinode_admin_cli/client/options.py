"""Constructor options shared by the admin and the user-API clients."""

from __future__ import annotations

import time
import warnings
from typing import Any, Callable, Optional, Union

from apinode_admin_cli.client import errormap
from apinode_admin_cli.client.transport import DEFAULT_MAX_BODY_BYTES, Transport
from apinode_admin_cli.client.urls import ClientCert, parse_node_uri


def build_transport(
    uri: str,
    api_key: Optional[str],
    no_check_certificate: bool,
    client_certificate: ClientCert,
    kwargs: dict[str, Any],
    *,
    bearer_token: Optional[str] = None,
    ca_bundle: Optional[str] = None,
    timeout: float = 60.0,
    connect_timeout: float = 10.0,
    retries: int = 3,
    retry_after_cap: float = 30.0,
    backoff_base: float = 0.5,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    sleep: Callable[[float], None] = time.sleep,
    auth_hint: str = errormap.ADMIN_AUTH_HINT,
) -> Transport:
    """A Transport from the official constructor arguments plus ours."""
    if "insecure_tls" in kwargs:
        warnings.warn(
            "insecure_tls is deprecated; use no_check_certificate",
            DeprecationWarning,
            stacklevel=3,
        )
        no_check_certificate = bool(kwargs.pop("insecure_tls")) or no_check_certificate
    if kwargs:
        # The official client swallows unknown keyword arguments; say so instead of failing.
        warnings.warn(f"ignoring unknown arguments: {', '.join(sorted(kwargs))}", stacklevel=3)
    verify: Union[bool, str] = True
    if no_check_certificate:
        verify = False
    elif ca_bundle:
        verify = ca_bundle
    return Transport(
        parse_node_uri(uri),
        api_key,
        bearer_token=bearer_token,
        verify=verify,
        cert=client_certificate,
        timeout=timeout,
        connect_timeout=connect_timeout,
        retries=retries,
        retry_after_cap=retry_after_cap,
        backoff_base=backoff_base,
        max_body_bytes=max_body_bytes,
        sleep=sleep,
        auth_hint=auth_hint,
    )
