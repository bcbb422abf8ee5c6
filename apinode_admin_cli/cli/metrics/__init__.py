"""``metrics``: the node's metrics, shown once or watched.

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "show": ".show:metrics_show",
        "watch": ".watch:metrics_watch",
    },
)
def metrics() -> None:
    """Read the node's metrics."""
