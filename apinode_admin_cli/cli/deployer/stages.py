"""``deployer stages``: the deployment stages (Development, Test, Production...)."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.lazygroup import LazyGroup
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.deployer.common import deployer, show_rows


@click.group(cls=LazyGroup, lazy={"list": ".stages:stages_list"})
def stages() -> None:
    """The deployment stages infrastructures belong to."""


@click.command("list")
@output_options
@pass_app
def stages_list(app: App) -> None:
    """List the stages.

    \b
    Examples:
      apinode-admin deployer stages list
      apinode-admin deployer stages list -o json | jq -r '.[].id'
    """
    from apinode_admin_cli.output.deployer import STAGES

    with deployer(app) as dep:
        items = dep.list_stages()
    show_rows(app, items, STAGES, items)
