"""``config set``: write a setting to a profile."""

from __future__ import annotations

import os

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app, read_stream
from apinode_admin_cli.cli.config.common import config_file, target_profile

# `config init` lives in its own module; it registers itself on this group.
from apinode_admin_cli.config.schema import BY_NAME
from apinode_admin_cli.errors import UsageError


@click.command("set")
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
        app.term.info(f"default_profile = {value} in {path}")
        return
    profile = target_profile(app, path)
    if key in BY_NAME and BY_NAME[key].is_path and value != "-":
        value = _existing_file(key, value)
    set_value(path, profile, key, value)
    shown = "****" if key in BY_NAME and BY_NAME[key].secret else value
    app.term.info(f"[profiles.{profile}] {key} = {shown} in {path}")


def _existing_file(key: str, value: str) -> str:
    """A path setting's value once checked: it must exist; relative paths made absolute.

    ``~`` stays as typed (it is expanded when read); a relative path would otherwise be read
    relative to the config file's folder, not to where this command ran.
    """
    from apinode_admin_cli.config.schema import DIRECTORIES

    expanded = os.path.expanduser(value)
    kind = "directory" if key in DIRECTORIES else "file"
    if not (os.path.isdir(expanded) if kind == "directory" else os.path.isfile(expanded)):
        raise UsageError(
            f"{value} is not a {kind}" if os.path.exists(expanded) else f"{value} does not exist",
            hint=f"`{key}` must name an existing {kind}",
        )
    return value if value.startswith("~") else os.path.abspath(value)
