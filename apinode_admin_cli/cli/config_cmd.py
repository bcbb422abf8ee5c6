"""``config``: see and change the settings, with where each one comes from."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.options import output_options, pass_app, read_stream, yes_option
from apinode_admin_cli.cli.results import Rows
from apinode_admin_cli.config.schema import BY_NAME, PROFILE_KEYS, SETTINGS
from apinode_admin_cli.errors import UsageError


@click.group()
@pass_app
def config(app: App) -> None:
    """Show and edit settings and profiles (no node needed)."""
    # These commands create the file, or say that it is missing, rather than fail on it.
    app.config_missing_ok = True


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
    app.show(Rows(rows, PROFILES, raw=rows))


def _shown_uri(uri: Any) -> Any:
    """A profile's URI as printed: a hand-edited `user:key@` part is masked, as everywhere."""
    from apinode_admin_cli.client.urls import hide_userinfo

    return hide_userinfo(uri) if isinstance(uri, str) else uri


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
    if key in BY_NAME and BY_NAME[key].is_path and value != "-":
        value = _existing_file(key, value)
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
    if key == "default_profile":
        where = "the top level"
    else:
        where = f"[profiles.{profile}]"
    if not unset_value(path, profile, key):
        if key not in PROFILE_KEYS and key != "default_profile":
            raise UsageError(f"unknown config key {key!r}; known keys: {', '.join(PROFILE_KEYS)}")
        app.info(f"{key} is not set in {where} of {path}: nothing to do")
        return
    app.info(f"Removed {key} from {where} in {path}")


def _existing_file(key: str, value: str) -> str:
    """A path setting's value once checked: the file must exist; relative paths made absolute.

    ``~`` stays as typed (it is expanded when read); a relative path would otherwise be read
    relative to the config file's folder, not to where this command ran.
    """
    expanded = os.path.expanduser(value)
    if not os.path.isfile(expanded):
        raise UsageError(
            f"{value} is not a file" if os.path.exists(expanded) else f"{value} does not exist",
            hint=f"`{key}` must name an existing file",
        )
    return value if value.startswith("~") else os.path.abspath(value)


@config.command("delete-profile")
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
    app.confirm(f"Delete profile {name!r} from {path}", yes)
    followed = delete_profile(path, name)
    app.info(f"Deleted profile {name!r} from {path}.")
    if followed.default:
        app.info(f"It was the default profile: default_profile is now unset in {path}.")
    if followed.fleets:
        app.info(f"Removed it from fleet(s) {', '.join(followed.fleets)}.")


@config.command("rename-profile")
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
    app.info(f"Renamed profile {old!r} to {new!r} in {path}{extra}.")
    if followed.fleets:
        app.info(f"Fleet(s) {', '.join(followed.fleets)} now list {new!r}.")


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
    from apinode_admin_cli.output.columns import FLEETS

    fleets = list_fleets(config_file(app))
    rows = [{"fleet": name, "profiles": ", ".join(members)} for name, members in fleets.items()]
    app.show(Rows(rows, FLEETS, raw=fleets))


# `config init` lives in its own module; it registers itself on this group.
from apinode_admin_cli.cli.config_init import config_init  # noqa: E402

config.add_command(config_init)
