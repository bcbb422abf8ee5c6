"""What the ``config`` commands share: the file and the profile they edit."""

from __future__ import annotations

import os
from pathlib import Path

from apinode_admin_cli.cli.app import App

# `config init` lives in its own module; it registers itself on this group.


def config_file(app: App) -> Path:
    """The config file this run reads: --config, APINODE_ADMIN_CONFIG, or the default path."""
    from apinode_admin_cli.config import locate_config

    return locate_config(app.flags, os.environ if app.env is None else app.env)[0]


def target_profile(app: App, path: Path) -> str:
    """The profile that `set`/`unset` write to: --profile, env, default_profile, else default."""
    from apinode_admin_cli.config import env_value, load_config

    named = app.flags.get("profile") or env_value("profile", app.env)
    if named:
        return str(named)
    default = load_config(path).get("default_profile")
    return str(default) if isinstance(default, str) and default else "default"
