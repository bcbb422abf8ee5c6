"""``config rename-profile``."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.cli.config.common import config_file

# `config init` lives in its own module; it registers itself on this group.


@click.command("rename-profile")
@click.argument("old")
@click.argument("new")
@pass_app
def config_rename_profile(app: App, old: str, new: str) -> None:
    """Rename a profile; default_profile and the fleets that list it follow.

    \b
    Example:
      apinode-admin config rename-profile prod prod-eu
    """
    from apinode_admin_cli.config.profiles import rename_profile

    path = config_file(app)
    followed = rename_profile(path, old, new)
    extra = " (it stays the default profile)" if followed.default else ""
    app.term.info(f"Renamed profile {old!r} to {new!r} in {path}{extra}.")
    if followed.fleets:
        app.term.info(f"Fleet(s) {', '.join(followed.fleets)} now list {new!r}.")
