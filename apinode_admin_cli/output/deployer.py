"""The API Deployer's tables (columns declared once) and its secrets, hidden in every format.

The deployer's JSON nests its secrets: the admin key of each API node of a static
infrastructure (``apiNodes[].adminAPIKey``) and a deployment's API keys (``apiKeys[]``, also
under ``auth``). JSON output shows the deployer's answer as received with those values as
``******``; an API key entry keeps its other fields (who created it, when).
"""

from __future__ import annotations

from typing import Any

from apinode_admin_cli.output.column import Column
from apinode_admin_cli.redact import HIDDEN

STAGES = (Column("id", "STAGE"), Column("desc", "DESCRIPTION"))

# Records built by the `deployer services` commands from the light statuses.
SERVICES = (
    Column("id", "SERVICE"),
    Column("versions", "VERSIONS"),
    Column("latest", "LATEST"),
    Column("deployments", "DEPLOYMENTS"),
)
VERSIONS = (Column("id", "VERSION"), Column("publishedOn", "PUBLISHED", "epoch_ms"))

INFRAS = (
    Column("id", "INFRA"),
    Column("type", "TYPE"),
    Column("stage", "STAGE"),
    Column("nodes", "NODES"),
    Column("deployments", "DEPLOYMENTS"),
)
INFRA_NODES = (
    Column("url", "URL"),
    Column("adminAPIKey", "ADMIN KEY", "secret"),
    Column("graphitePrefix", "GRAPHITE PREFIX"),
)

# VERSION is the one version taking all traffic, or the mapping (v1:90%,v2:10%).
DEPLOYMENTS = (
    Column("id", "DEPLOYMENT"),
    Column("service", "SERVICE"),
    Column("infra", "INFRA"),
    Column("version", "VERSION"),
    Column("enabled", "ENABLED", "bool"),
    Column("health", "HEALTH"),
)
# `deployments status`: one row per API node of a static infrastructure, or the public URL.
STATUS_NODES = (
    Column("node", "NODE"),
    Column("state", "STATE"),
    Column("url", "SERVICE URL"),
    Column("deployed", "DEPLOYED"),
    Column("serves", "SERVES"),
)
HEALTH_MESSAGES = (Column("severity", "SEVERITY"), Column("message", "MESSAGE"))
UPDATES = (
    Column("startTimestamp", "STARTED", "epoch_ms"),
    Column("type", "TYPE"),
    Column("status", "STATUS"),
)

_SECRET_FIELDS = frozenset({"adminAPIKey"})
_KEY_LISTS = frozenset({"apiKeys"})
_KEY_FIELDS = frozenset({"key", "secret"})


def hide_deployer_secrets(data: Any) -> Any:
    """A copy of ``data`` with every secret the deployer's JSON may hold shown as ``******``."""
    if isinstance(data, list):
        return [hide_deployer_secrets(item) for item in data]
    if not isinstance(data, dict):
        return data
    shown: dict[str, Any] = {}
    for name, value in data.items():
        if name in _SECRET_FIELDS and value not in (None, ""):
            shown[name] = HIDDEN
        elif name in _KEY_LISTS and isinstance(value, list):
            shown[name] = [_hide_key(item) for item in value]
        elif name in _KEY_LISTS and value not in (None, "", []):
            shown[name] = HIDDEN
        else:
            shown[name] = hide_deployer_secrets(value)
    return shown


def _hide_key(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return HIDDEN if entry not in (None, "") else entry
    return {
        k: HIDDEN if k in _KEY_FIELDS and v not in (None, "") else hide_deployer_secrets(v)
        for k, v in entry.items()
    }


def mapping_text(mapping: Any) -> str:
    """A deployment's generations mapping in one cell: ``v2``, or ``v1:90%,v2:10%``."""
    if not isinstance(mapping, dict):
        return ""
    if mapping.get("generation") and mapping.get("mode", "SINGLE_GENERATION") != "MULTI_GENERATION":
        return str(mapping["generation"])
    parts = []
    for entry in mapping.get("entries") or []:
        if not isinstance(entry, dict):
            continue
        share = entry.get("proba")
        if isinstance(share, (int, float)) and not isinstance(share, bool):
            parts.append(f"{entry.get('generation')}:{share * 100:g}%")
        else:
            parts.append(str(entry.get("generation")))
    return ",".join(parts)


__all__ = [
    "DEPLOYMENTS",
    "HEALTH_MESSAGES",
    "INFRAS",
    "INFRA_NODES",
    "SERVICES",
    "STAGES",
    "STATUS_NODES",
    "UPDATES",
    "VERSIONS",
    "hide_deployer_secrets",
    "mapping_text",
]
