"""The one place that turns settings into clients: transport options derived from the schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping, Optional

from apinode_admin_cli.config.schema import SETTINGS

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient


def transport_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """The client keyword options that the settings feed (TLS, timeout, retries)."""
    options: dict[str, Any] = {}
    for decl in SETTINGS:
        if decl.transport is None or decl.transport == "client_certificate":
            continue
        value = values.get(decl.name)
        if value is not None:
            options[decl.transport] = value
    # The certificate and its key travel together, as the clients take them.
    cert, key = values.get("client_cert"), values.get("client_key")
    options["client_certificate"] = (cert, key) if cert and key else cert or None
    options["no_check_certificate"] = bool(options.get("no_check_certificate"))
    return options


def admin_client(
    values: Mapping[str, Any], uri: str, api_key: str, **overrides: Any
) -> APINodeAdminClient:
    """An admin client for ``uri`` with the transport the settings give (plus overrides)."""
    from apinode_admin_cli.client import APINodeAdminClient

    options = {**transport_options(values), **overrides}
    return APINodeAdminClient(uri, api_key, **options)


def user_client(
    values: Mapping[str, Any], uri: str, service_id: str, service_key: Optional[str]
) -> APINodeClient:
    """A user-API client for one service of the node at ``uri``."""
    from apinode_admin_cli.client import APINodeClient

    return APINodeClient(uri, service_id, service_key, **transport_options(values))


__all__ = ["admin_client", "transport_options", "user_client"]
