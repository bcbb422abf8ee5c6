"""``config``: show and edit settings, profiles and fleets (no node needed).

Each verb is a module of its own, imported only when it runs (or when help lists it).
"""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.lazygroup import LazyGroup
from apinode_admin_cli.cli.common.options import pass_app


@click.group(
    cls=LazyGroup,
    lazy={
        "path": ".path:config_path",
        "show": ".show:config_show",
        "profiles": ".profiles:config_profiles",
        "set": ".set:config_set",
        "unset": ".unset:config_unset",
        "delete-profile": ".delete_profile:config_delete_profile",
        "rename-profile": ".rename_profile:config_rename_profile",
        "fleets": ".fleets:config_fleets",
        "fleet": ".fleet:config_fleet",
        "init": ".init:config_init",
    },
)
@pass_app
def config(app: App) -> None:
    """Show and edit settings and profiles (no node needed)."""
    # These commands create the file, or say that it is missing, rather than fail on it.
    app.tolerate_missing_config()
    from apinode_admin_cli.cli.config.common import watch_comments

    click.get_current_context().call_on_close(watch_comments(app))
