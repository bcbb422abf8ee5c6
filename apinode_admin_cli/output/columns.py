"""The columns of each resource, declared once and shared by every renderer."""

from __future__ import annotations

from typing import Any, Sequence

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


def services_columns(columns: Sequence[Column], records: Sequence[Any]) -> tuple[Column, ...]:
    """The columns of a services listing, ERROR left out when no service has an error.

    A node sets ``startAbortedReason`` only on a service that failed to start: a column that
    is always empty pushes the others apart for nothing. On a fleet, the column comes back as
    soon as one node has a service in error (the merged table takes every node's columns).
    """
    if any(isinstance(r, dict) and r.get("startAbortedReason") for r in records):
        return tuple(columns)
    return tuple(c for c in columns if c.key != "startAbortedReason")


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
# `fleet import --from-infra`: each node's profile, its URL, where the URL came from.
FLEET_IMPORTED = (Column("profile", "PROFILE"), Column("url", "URL"), Column("source", "SOURCE"))

# A fleet's merged rows: a first column naming the node, under a key no node answer can hold.
NODE_KEY = "\x00node"
NODE = Column(NODE_KEY, "NODE")
# A fleet's actions: one row per node.
FLEET_ACTIONS = (NODE, Column("outcome", "OUTCOME"), Column("detail", "DETAIL"))
# `services rollout`: one row per step, then the rollback if there was one.
ROLLOUT_STEPS = (
    Column("step", "STEP"),
    Column("mapping", "MAPPING"),
    Column("probes", "PROBES"),
    Column("result", "RESULT"),
)


def drift_columns(nodes: Sequence[str]) -> list[Column]:
    """`fleet status`: a service, what each node serves (a column per node), whether all agree."""
    columns = [Column("service", "SERVICE")]
    columns += [Column(f"\x00{name}", name) for name in nodes]
    columns.append(Column("same", "SAME"))
    return columns


def prediction_columns(
    batch: bool, generation: bool, classes: Sequence[str], ignored: bool = False
) -> list[Column]:
    """`predict`: the record's index in a batch, the generation, the prediction, each class's
    probability (``p0``, ``p1``... in ``classes`` order), why a record was ignored."""
    columns = [Column("index", "#")] if batch else []
    if generation:
        columns.append(Column("generation", "GENERATION"))
    columns.append(Column("prediction", "PREDICTION"))
    columns += [Column(f"p{i}", f"P({cls})") for i, cls in enumerate(classes)]
    if ignored:
        columns.append(Column("ignored", "IGNORED"))
    return columns


# `openapi`: the operations a service's OpenAPI document declares.
OPENAPI_PATHS = (Column("method", "METHOD"), Column("path", "PATH"), Column("summary", "SUMMARY"))


def named_columns(names: Sequence[tuple[str, str]]) -> list[Column]:
    """Columns known only from the answer (a table's own fields): ``(key, header)`` pairs."""
    return [Column(key, header) for key, header in names]


__all__ = [
    "CLEANUP",
    "CREATED_KEYS",
    "FLEETS",
    "FLEET_IMPORTED",
    "FLEET_ACTIONS",
    "GENERATIONS",
    "KEYS",
    "METRICS",
    "OPENAPI_PATHS",
    "NODE",
    "NODE_KEY",
    "PROFILES",
    "ROLLOUT_STEPS",
    "SERVICES",
    "SERVICES_WIDE",
    "SETTINGS",
    "SUMMARY",
    "Column",
    "drift_columns",
    "named_columns",
    "prediction_columns",
    "services_columns",
]
