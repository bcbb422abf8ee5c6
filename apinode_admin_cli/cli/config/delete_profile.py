"""``config delete-profile``."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app, yes_option
from apinode_admin_cli.cli.common.targets import confirm
from apinode_admin_cli.cli.config.common import config_file

# `config init` lives in its own module; it registers itself on this group.


@click.command("delete-profile")
@click.argument("name")
@yes_option
@pass_app
def config_delete_profile(app: App, name: str, yes: bool) -> None:
    """Delete a profile from the config file.

    Deleting the default profile also removes `default_profile`, so that the next commands
    use the profile `default` (or --profile) instead; fleets that list it lose it.

    \b
    Example:
      apinode-admin config delete-profile staging --yes
    """
    from apinode_admin_cli.config.profiles import delete_profile

    path = config_file(app)
    confirm(app, f"Delete profile {name!r} from {path}", yes)
    followed = delete_profile(path, name)
    app.term.info(f"Deleted profile {name!r} from {path}.")
    if followed.default:
        app.term.info(f"It was the default profile: default_profile is now unset in {path}.")
    if followed.fleets:
        app.term.info(f"Removed it from fleet(s) {', '.join(followed.fleets)}.")
