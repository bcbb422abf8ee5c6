"""The columns of each resource, declared once and shared by every renderer."""

from __future__ import annotations

from apinode_admin_cli.output.column import Column

SERVICES = (
    Column("serviceId", "SERVICE"),
    Column("enabled", "ENABLED", "bool"),
    Column("startAbortedReason", "ERROR"),
)

# `services list --wide`: ACTIVE is the generation taking all traffic, or the mapping.
SERVICES_WIDE = (
    Column("serviceId", "SERVICE"),
    Column("enabled", "ENABLED", "bool"),
    Column("active", "ACTIVE"),
    Column("startAbortedReason", "ERROR"),
)

# `services clean-unused`: what was (or, with --dry-run, is expected to be) deleted.
CLEANUP = (
    Column("kind", "KIND"),
    Column("service", "SERVICE"),
    Column("generation", "GENERATION"),
    Column("code_env", "CODE ENV"),
    Column("note", "NOTE"),
)

GENERATIONS = (
    Column("generationId", "GENERATION"),
    Column("createdOn", "CREATED", "epoch_ms"),
    Column("mounted", "MOUNTED", "bool"),
    Column("mapped", "MAPPED %", "share"),
)

# `expiry` may be epoch ms, an ISO string or null: format_value passes strings through.
KEYS = (
    Column("id", "ID"),
    Column("key", "KEY", "secret"),
    Column("label", "LABEL"),
    Column("description", "DESCRIPTION"),
    Column("createdBy", "CREATED BY"),
    Column("expiry", "EXPIRY", "epoch_ms"),
)

# `keys list --show-secrets`: keys a node lists in clear (before DSS 13.1) shown as sent.
KEYS_SHOWN = tuple(Column(c.key, c.title) if c.kind == "secret" else c for c in KEYS)

# `keys create` on a fleet: each node's new key, shown once (so KEY is not of kind secret).
CREATED_KEYS = (Column("id", "ID"), Column("key", "KEY"))

# Rows built with flat_records(data, "name") or from flatten().
METRICS = (Column("name", "METRIC"), Column("value", "VALUE"))

# Any JSON object as rows from flat_records(data).
SUMMARY = (Column("key", "KEY"), Column("value", "VALUE"))

# `config show` and `config profiles`: rows the command builds from the settings.
SETTINGS = (Column("setting", "SETTING"), Column("value", "VALUE"), Column("source", "SOURCE"))
PROFILES = (
    Column("profile", "PROFILE"),
    Column("active", "ACTIVE", "bool"),
    Column("uri", "URI"),
)
# `config fleets`: each fleet with its profiles, comma-separated.
FLEETS = (Column("fleet", "FLEET"), Column("profiles", "PROFILES"))

__all__ = [
    "CLEANUP",
    "CREATED_KEYS",
    "FLEETS",
    "GENERATIONS",
    "KEYS",
    "METRICS",
    "PROFILES",
    "SERVICES",
    "SERVICES_WIDE",
    "SETTINGS",
    "SUMMARY",
    "Column",
]
