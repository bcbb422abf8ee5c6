"""``emulator``: run the bundled API node or API Deployer emulator, or a guided tour of the tool.

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.common.lazygroup import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy={
        "serve": ".serve:emulator_serve",
        "demo": ".demo:demo",
        "deployer": ".deployer:emulator_deployer",
    },
)
def emulator() -> None:
    """Run local DSS emulators (API node, API Deployer) for tests, CI and rehearsals."""
