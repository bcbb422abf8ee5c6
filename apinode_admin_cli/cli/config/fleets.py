"""``config fleets``: the fleets of the configuration file."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.render import show
from apinode_admin_cli.cli.common.results import Rows
from apinode_admin_cli.cli.config.common import config_file

# `config init` lives in its own module; it registers itself on this group.


@click.command("fleets")
@output_options
@pass_app
def config_fleets(app: App) -> None:
    """List the fleets of the config file and their profiles (nodes).

    A fleet is a [fleets.NAME] table with profiles = ["prod-1", "prod-2"]; --fleet NAME then
    runs a command on every one of those nodes.

    \b
    Examples:
      apinode-admin config fleets
      apinode-admin config fleets -o json | jq -r '.prod[]'
    """
    from apinode_admin_cli.config import list_fleets
    from apinode_admin_cli.output.columns import FLEETS

    fleets = list_fleets(config_file(app))
    rows = [{"fleet": name, "profiles": ", ".join(members)} for name, members in fleets.items()]
    show(app, Rows(rows, FLEETS, raw=fleets))
