"""``config unset``: remove a setting from a profile."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.cli.config.common import config_file, target_profile

# `config init` lives in its own module; it registers itself on this group.
from apinode_admin_cli.config.schema import PROFILE_KEYS
from apinode_admin_cli.errors import UsageError


@click.command("unset")
@click.argument("key")
@pass_app
def config_unset(app: App, key: str) -> None:
    """Remove KEY from the active profile.

    \b
    Example:
      apinode-admin --profile prod config unset ca_bundle
    """
    from apinode_admin_cli.config import unset_value

    path = config_file(app)
    profile = target_profile(app, path)
    if key == "default_profile":
        where = "the top level"
    else:
        where = f"[profiles.{profile}]"
    if not unset_value(path, profile, key):
        if key not in PROFILE_KEYS and key != "default_profile":
            raise UsageError(f"unknown config key {key!r}; known keys: {', '.join(PROFILE_KEYS)}")
        app.term.info(f"{key} is not set in {where} of {path}: nothing to do")
        return
    app.term.info(f"Removed {key} from {where} in {path}")
