"""Where the admin key comes from, and a warning when it goes to a node it was not set for."""

from __future__ import annotations

from typing import Any, Mapping


def warn_key_elsewhere(
    values: dict[str, Any],
    sources: dict[str, str],
    table: Mapping[str, Any],
    profile: str,
    warnings: list[str],
) -> None:
    """Say so when a profile's key goes to a URI that profile was not configured for.

    ``--uri`` (or APINODE_ADMIN_URI) with the key of a profile set for another node sends
    that node's key elsewhere: a mistake more often than not, and a secret shown to a node
    that was never meant to see it.
    """
    uri, configured = values.get("uri"), table.get("uri") if isinstance(table, dict) else None
    key_source = sources.get("api_key", "")
    if not (uri and isinstance(configured, str) and key_source.startswith("config ")):
        return
    if sources.get("uri", "").startswith("config ") or _same_node(uri, configured):
        return
    warnings.append(
        f"the API key of profile {profile!r} (set for {_shown(configured)}) is sent to "
        f"{_shown(uri)} from {sources.get('uri')}; give that node's own key with "
        "--api-key-file or APINODE_ADMIN_API_KEY, or use its profile"
    )


def _same_node(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def _shown(uri: str) -> str:
    from apinode_admin_cli.client.urls import hide_userinfo

    return hide_userinfo(uri.strip())


def key_hint(sources: Mapping[str, str], values: Mapping[str, Any]) -> str:
    """What a refused admin key's error suggests: where that key came from, and how to fix it."""
    source = sources.get("api_key") or sources.get("api_key_file") or "unset"
    hint = f"the admin API key used comes from {source}"
    if source.startswith("config ") and not sources.get("uri", "").startswith("config "):
        hint += f", not from the same place as the URI ({sources.get('uri')})"
    return (
        hint + "; check it, or give another with --api-key-file or APINODE_ADMIN_API_KEY "
        "(service keys are not admin keys)"
    )


__all__ = ["key_hint", "warn_key_elsewhere"]
