"""``generations``: list, import and preload the generations of a service.

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "list": ".list:generations_list",
        "import": ".import_:generations_import",
        "preload": ".preload:generations_preload",
    },
)
def generations() -> None:
    """Manage the generations (package versions) of a service."""
