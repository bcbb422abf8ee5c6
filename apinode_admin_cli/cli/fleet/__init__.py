"""``fleet``: compare the nodes of a fleet.

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "status": ".status:fleet_status",
        "import": ".import_infra:fleet_import",
    },
)
def fleet() -> None:
    """Compare the nodes of a fleet (--fleet NAME): drift between them."""
