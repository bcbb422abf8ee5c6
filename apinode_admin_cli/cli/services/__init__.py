"""``services``: list, create, delete, enable, disable, switch, map and roll out services.

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "list": ".list:services_list",
        "create": ".create:services_create",
        "delete": ".delete:services_delete",
        "enable": ".enable:services_enable",
        "disable": ".disable:services_disable",
        "switch-to-newest": ".switch_to_newest:services_switch_to_newest",
        "switch-to": ".switch_to:services_switch_to",
        "set-mapping": ".set_mapping:services_set_mapping",
        "clean-unused": ".clean_unused:services_clean_unused",
        "describe": ".describe:services_describe",
        "rollout": ".rollout:rollout",
    },
)
def services() -> None:
    """Manage the services hosted by the node."""
