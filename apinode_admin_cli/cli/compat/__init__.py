"""Dataiku's own ``apinode-admin`` command names, so that existing scripts run unchanged.

Each command is a thin adapter: the same arguments, options and printed text as the original,
over this package's client and the tree's settings, errors and exit codes.
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.compat.generations import (
    service_import_generation,
    service_list_generations,
    service_preload_generation,
)
from apinode_admin_cli.cli.compat.keys import (
    admin_key_create,
    admin_key_delete,
    admin_key_delete_by_id,
    admin_keys_list,
)
from apinode_admin_cli.cli.compat.metrics import metrics_get
from apinode_admin_cli.cli.compat.services import (
    clean_code_env_cache,
    service_create,
    service_delete,
    service_disable,
    service_enable,
    service_set_mapping,
    service_switch_to_generation,
    service_switch_to_newest,
    services_clean,
    services_list,
)

# (original command line, modern equivalent, what differs): the help and the README table.
EQUIVALENTS = (
    ("services-list [--no-header]", "services list", ""),
    ("service-create SERVICE", "services create SERVICE", ""),
    ("service-delete SERVICE", "services delete SERVICE -y", "never asks"),
    ("service-enable SERVICE", "services enable SERVICE", ""),
    ("service-disable SERVICE", "services disable SERVICE", ""),
    ("service-import-generation SERVICE ARCHIVE", "generations import SERVICE ARCHIVE", ""),
    ("service-preload-generation SERVICE GEN", "generations preload SERVICE GEN", ""),
    ("service-list-generations SERVICE [--no-header]", "generations list SERVICE", ""),
    ("service-switch-to-newest SERVICE", "services switch-to-newest SERVICE", ""),
    ("service-switch-to-generation SERVICE GEN", "services switch-to SERVICE GEN", ""),
    ("service-set-mapping SERVICE < mapping.json", "services set-mapping SERVICE -", "checked"),
    ("services-clean [--output fancy|json]", "services clean-unused -y", "never asks"),
    ("__clean-code-env-cache [--output fancy|json]", "code-envs clean -y", "never asks"),
    ("admin-keys-list [--output fancy|json]", "keys list", "keys as the node lists them"),
    ("admin-key-create [--label L] [--description D]", "keys create", "sends description"),
    ("admin-key-delete KEY", "keys delete KEY -y", "unknown: exit 0"),
    ("admin-key-delete-by-id ID", "keys delete --id ID -y", "unknown: exit 0"),
    ("metrics-get", "metrics show -o json", "one JSON line"),
    ("predict SERVICE ENDPOINT k=v ...", "predict SERVICE ENDPOINT --feature k=v", "typed values"),
)


def equivalents_table() -> str:
    """The original -> modern table, aligned for a terminal."""
    rows = [("ORIGINAL COMMAND", "MODERN EQUIVALENT", "NOTE")] + list(EQUIVALENTS)
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a.ljust(widths[0])}  {b.ljust(widths[1])}  {c}".rstrip() for a, b, c in rows]
    return "\n".join(lines)


_HELP = """List Dataiku's original apinode-admin commands and their modern equivalents.

Scripts written for the tool that ships with DSS run unchanged: the original command names
take the same arguments and options and print the same text, over the connection settings
(--uri, --api-key-file, profiles, ...), error messages and exit codes of this tool. They do
not ask for confirmation, as the original never did.

\b
{table}

\b
Examples:
  apinode-admin compat                        # print this table
  apinode-admin --profile prod services-list --no-header
  apinode-admin admin-key-create --output json --label ci | jq -r .key
"""


@click.command("compat", help=_HELP.format(table=equivalents_table()))
def compat_help() -> None:
    click.echo(equivalents_table())


__all__ = [
    "EQUIVALENTS",
    "admin_key_create",
    "admin_key_delete",
    "admin_key_delete_by_id",
    "admin_keys_list",
    "clean_code_env_cache",
    "compat_help",
    "equivalents_table",
    "metrics_get",
    "service_create",
    "service_delete",
    "service_disable",
    "service_enable",
    "service_import_generation",
    "service_list_generations",
    "service_preload_generation",
    "service_set_mapping",
    "service_switch_to_generation",
    "service_switch_to_newest",
    "services_clean",
    "services_list",
]
