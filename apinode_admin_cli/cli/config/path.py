"""``config path``: where the configuration file is."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.cli.config.common import config_file

# `config init` lives in its own module; it registers itself on this group.


@click.command("path")
@pass_app
def config_path(app: App) -> None:
    """Print the config file's path.

    \b
    Example:
      $EDITOR "$(apinode-admin config path)"
    """
    app.term.echo(str(config_file(app)))
