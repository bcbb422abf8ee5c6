"""``state``: export, diff and apply desired state (GitOps).

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "export": ".export:state_export",
        "diff": ".diff:state_diff",
        "apply": ".apply:state_apply",
        "validate": ".validate:state_validate",
    },
)
def state() -> None:
    """Desired state (GitOps): export, diff, apply and validate what a node serves."""
