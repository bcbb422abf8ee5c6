"""The one place that turns settings into clients: URI and key checked, transport options."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

from apinode_admin_cli.config.files import display_path, list_profiles
from apinode_admin_cli.config.schema import BY_NAME, SETTINGS
from apinode_admin_cli.errors import ConfigError

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.config.resolve import Settings


def require_connection(settings: Settings) -> tuple[str, str]:
    """``(uri, api_key)``, or ConfigError naming every way to supply what is missing."""
    where = f"profile {settings.profile!r} of {display_path(settings.config_path)}"
    hint = "`apinode-admin config show` tells where each setting comes from"
    uri, key, key_file = BY_NAME["uri"], BY_NAME["api_key"], BY_NAME["api_key_file"]
    if settings.config_exists and not (settings.uri and settings.api_key):
        others = [p for p in list_profiles(settings.config_path) if p != settings.profile]
        if others and settings.profile_source == "default":
            hint = f"the file has profile(s) {', '.join(others)}: choose one with --profile NAME"
    if settings.data_dir and not (settings.uri and settings.api_key):
        from apinode_admin_cli.config.datadir import is_data_dir
        from apinode_admin_cli.config.local import not_a_data_dir

        if not is_data_dir(Path(settings.data_dir)):
            raise not_a_data_dir(settings.data_dir, settings.sources["data_dir"])
        if settings.uri:
            hint = "the data dir's own key goes to a loopback URI only, never to another machine"
    if not settings.uri:
        raise ConfigError(
            f"no API node URI: pass {uri.option}, set {uri.env}, or set `uri` in {where}",
            hint=hint,
        )
    if not settings.api_key:
        raise ConfigError(
            f"no API key: pass {key_file.option} or {key.option}, set "
            f"{key_file.env} or {key.env}, "
            f"or set `api_key_file` or `api_key` in {where}",
            hint=hint,
        )
    return settings.uri, settings.api_key


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

    token = values.get("bearer_token")
    return APINodeClient(uri, service_id, service_key, token, **transport_options(values))


__all__ = ["admin_client", "require_connection", "transport_options", "user_client"]
