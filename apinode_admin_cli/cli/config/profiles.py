"""``config profiles``: the profiles of the configuration file."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.render import show
from apinode_admin_cli.cli.common.results import Rows
from apinode_admin_cli.cli.config.common import config_file, target_profile

# `config init` lives in its own module; it registers itself on this group.


@click.command("profiles")
@output_options
@pass_app
def config_profiles(app: App) -> None:
    """List the profiles of the config file with their URI; the active one is marked.

    \b
    Examples:
      apinode-admin config profiles
      apinode-admin config profiles -o json | jq -r '.[] | select(.active) | .uri'
    """
    from apinode_admin_cli.config import load_config
    from apinode_admin_cli.output.columns import PROFILES

    path = config_file(app)
    if not path.exists():
        app.term.warn(f"config file {path} does not exist: no profiles")
    active = target_profile(app, path)
    profiles = load_config(path).get("profiles", {})
    rows = [
        {
            "profile": name,
            "active": name == active,
            "uri": _shown_uri(table.get("uri")),
        }
        for name, table in profiles.items()
    ]
    show(app, Rows(rows, PROFILES, raw=rows))


def _shown_uri(uri: Any) -> Any:
    """A profile's URI as printed: a hand-edited `user:key@` part is masked, as everywhere."""
    from apinode_admin_cli.client.urls import hide_userinfo

    return hide_userinfo(uri) if isinstance(uri, str) else uri
