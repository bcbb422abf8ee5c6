"""``config``: see and change the settings, with where each one comes from."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.options import output_options, pass_app, read_stream
from apinode_admin_cli.cli.results import Rows
from apinode_admin_cli.config.schema import BY_NAME, SETTINGS
from apinode_admin_cli.errors import UsageError


@click.group()
def config() -> None:
    """Show and edit settings and profiles (no node needed)."""


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


@config.command("path")
@pass_app
def config_path(app: App) -> None:
    """Print the config file's path.

    \b
    Example:
      $EDITOR "$(apinode-admin config path)"
    """
    app.term.echo(str(config_file(app)))


@config.command("show")
@output_options
@pass_app
def config_show(app: App) -> None:
    """Show every effective setting and its source; the key is masked.

    \b
    Examples:
      apinode-admin config show
      apinode-admin --profile prod config show -o json
    """
    from apinode_admin_cli.output.columns import SETTINGS as COLUMNS
    from apinode_admin_cli.redact import mask

    settings = app.settings
    rows: list[dict[str, Any]] = []
    for decl in SETTINGS:
        value = settings.values.get(decl.name)
        source = settings.sources.get(decl.name, "")
        if decl.secret and value:
            value = mask(str(value))
        if decl.name == "config":
            source = "exists" if settings.config_exists else "not found (nothing read)"
        rows.append({"setting": decl.name, "value": value, "source": source})
    raw = {row["setting"]: {"value": row["value"], "source": row["source"]} for row in rows}
    app.show(Rows(rows, COLUMNS, raw=raw))


@config.command("profiles")
@output_options
@pass_app
def config_profiles(app: App) -> None:
    """List the profiles of the config file; the active one is marked.

    \b
    Example:
      apinode-admin config profiles
    """
    from apinode_admin_cli.config import list_profiles
    from apinode_admin_cli.output.columns import PROFILES

    path = config_file(app)
    active = target_profile(app, path)
    names = list_profiles(path)
    rows = [{"profile": n, "active": n == active} for n in names]
    app.show(Rows(rows, PROFILES, raw=rows))


@config.command("set")
@click.argument("key")
@click.argument("value")
@pass_app
def config_set(app: App, key: str, value: str) -> None:
    """Set KEY in the active profile (default_profile sets the top-level default).

    VALUE `-` reads the value from stdin, so a key stays out of `ps` and shell history.
    The file is written atomically with mode 0600.

    \b
    Examples:
      apinode-admin --profile prod config set uri https://apinode-1.example.com:12000
      apinode-admin --profile prod config set api_key_file ~/.secrets/apinode-prod
      pass show apinode/prod | apinode-admin --profile prod config set api_key -
      apinode-admin config set default_profile prod
    """
    from apinode_admin_cli.config import set_default_profile, set_value

    if value == "-":
        value = read_stream(app.term.inp).strip()
    path = config_file(app)
    if key == "default_profile":
        set_default_profile(path, value)
        app.info(f"default_profile = {value} in {path}")
        return
    profile = target_profile(app, path)
    set_value(path, profile, key, value)
    shown = "****" if key in BY_NAME and BY_NAME[key].secret else value
    app.info(f"[profiles.{profile}] {key} = {shown} in {path}")


@config.command("unset")
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
    if not unset_value(path, profile, key):
        raise UsageError(f"{key} is not set in profile {profile!r} of {path}")
    app.info(f"Removed {key} from [profiles.{profile}] in {path}")


@config.command("fleets")
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
    from apinode_admin_cli.output import Column

    fleets = list_fleets(config_file(app))
    rows = [{"fleet": name, "profiles": ", ".join(members)} for name, members in fleets.items()]
    columns = (Column("fleet", "FLEET"), Column("profiles", "PROFILES"))
    app.show(Rows(rows, columns, raw=fleets))


# `config init` lives in its own module; it registers itself on this group.
from apinode_admin_cli.cli.config_init import config_init  # noqa: E402

config.add_command(config_init)
