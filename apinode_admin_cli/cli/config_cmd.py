"""``config``: see and change the settings, with where each one comes from."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from apinode_admin_cli.cli.context import App
from apinode_admin_cli.cli.options import output_options, pass_app
from apinode_admin_cli.errors import ApinodeAdminError, UsageError

_SECRET_SETTINGS = {"api_key"}


@click.group()
def config() -> None:
    """Show and edit settings and profiles (no node needed)."""


def config_file(app: App) -> Path:
    """The config file this run reads: --config, APINODE_ADMIN_CONFIG, or the default path."""
    from apinode_admin_cli.config import locate_config

    return locate_config(app.flags, os.environ)[0]


def target_profile(app: App, path: Path) -> str:
    """The profile that `set`/`unset` write to: --profile, env, default_profile, else default."""
    from apinode_admin_cli.config import load_config

    named = app.flags.get("profile") or os.environ.get("APINODE_ADMIN_PROFILE")
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
    click.echo(str(config_file(app)))


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
    from apinode_admin_cli.config import SETTING_NAMES
    from apinode_admin_cli.output.columns import SETTINGS
    from apinode_admin_cli.redact import mask

    settings = app.settings
    rows: list[dict[str, Any]] = [
        {"setting": "config", "value": str(settings.config_path), "source": _file_state(settings)},
        {"setting": "profile", "value": settings.profile, "source": settings.profile_source},
    ]
    for name in SETTING_NAMES:
        value = settings.values.get(name)
        if name in _SECRET_SETTINGS and value:
            value = mask(str(value))
        rows.append({"setting": name, "value": value, "source": settings.sources.get(name, "")})
    raw = {row["setting"]: {"value": row["value"], "source": row["source"]} for row in rows}
    app.emit(rows, SETTINGS, raw=raw)


def _file_state(settings: Any) -> str:
    return "exists" if settings.config_exists else "not found (nothing read)"


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
    app.emit(rows, PROFILES, raw=rows)


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
        value = sys.stdin.read().strip()
    path = config_file(app)
    if key == "default_profile":
        set_default_profile(path, value)
        app.info(f"default_profile = {value} in {path}")
        return
    profile = target_profile(app, path)
    set_value(path, profile, key, value)
    shown = "****" if key in _SECRET_SETTINGS else value
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


# -- config init ------------------------------------------------------------------------------
# `--uri`, `--api-key` and `--api-key-file` are global options (hoisted in front of the command
# by the root group), so `config init --uri X` reaches this command through app.flags.
_TLS_SETTINGS = ("ca_bundle", "client_cert", "client_key", "no_check_certificate")


@config.command("init")
@click.option("--api-key-stdin", is_flag=True, help="Read the admin key from stdin.")
@click.option("--no-verify", is_flag=True, help="Save without testing URI and key on the node.")
@click.option("--force", is_flag=True, help="Replace the profile if it exists already.")
@pass_app
def config_init(app: App, api_key_stdin: bool, no_verify: bool, force: bool) -> None:
    """Create a profile: ask for URI and key, test them with a ping, save (mode 0600).

    On a terminal it asks for what the flags do not give (the key without echo). In scripts,
    give --uri and the key with --api-key-file PATH (the profile then keeps the path, not the
    key) or --api-key-stdin. The profile is --profile NAME, else `default`.

    \b
    Examples:
      apinode-admin config init
      apinode-admin --profile prod config init --uri https://apinode-1:12000 \\
          --api-key-file ~/.secrets/apinode-prod
      pass show apinode/ci | apinode-admin config init --uri http://127.0.0.1:12000 --api-key-stdin
    """
    from apinode_admin_cli.config import convert, load_config, write_config

    path = config_file(app)
    profile = str(app.flags.get("profile") or os.environ.get("APINODE_ADMIN_PROFILE") or "default")
    data = load_config(path)
    profiles = data.setdefault("profiles", {})
    interactive = sys.stdin.isatty() and not api_key_stdin and app.flags.get("api_key_file") != "-"
    if profile in profiles and not force:
        _confirm_replace(profile, path, interactive)

    uri = _init_uri(app, interactive)
    key, entry = _init_key(app, interactive, api_key_stdin)
    table: dict[str, Any] = {"uri": uri, **entry}
    for name in _TLS_SETTINGS:
        value = app.flags.get(name)
        if value is None:
            continue
        if isinstance(value, str):
            value = os.path.abspath(os.path.expanduser(value))  # the file outlives this cwd
        try:
            table[name] = convert(name, value)
        except ValueError as exc:
            raise UsageError(f"invalid --{name.replace('_', '-')}: {exc}")

    if not no_verify:
        _verify(app, uri, key, table)
    first = not profiles
    profiles[profile] = table
    if first and profile != "default" and not data.get("default_profile"):
        data["default_profile"] = profile  # the only profile should be the one used
    write_config(path, data)
    app.info(f"Saved profile {profile!r} to {path} (mode 0600).")
    app.info("Next: apinode-admin services list")


def _confirm_replace(profile: str, path: Path, interactive: bool) -> None:
    if not interactive:
        raise UsageError(
            f"profile {profile!r} exists already in {path}",
            hint="pass --force to replace it, or --profile NAME to create another one",
        )
    if not click.confirm(f"Profile {profile!r} exists in {path}. Replace it?", err=True):
        raise ApinodeAdminError("cancelled: nothing was changed")


def _init_uri(app: App, interactive: bool) -> str:
    from apinode_admin_cli.config import normalize_uri

    raw = app.flags.get("uri")
    while True:
        if not raw:
            if not interactive:
                raise UsageError("no URI given", hint="pass --uri URL, e.g. http://host:12000")
            raw = click.prompt("API node URI (e.g. http://host:12000)", err=True)
        try:
            return normalize_uri(str(raw))
        except ValueError as exc:
            if not interactive or app.flags.get("uri"):
                raise UsageError(f"invalid --uri: {exc}")
            click.echo(f"Invalid URI: {exc}", err=True)
            raw = None


def _init_key(app: App, interactive: bool, from_stdin: bool) -> tuple[str, dict[str, str]]:
    """The key, and what the profile stores: the key file's path when one was given."""
    key_file = app.flags.get("api_key_file")
    if app.flags.get("api_key"):
        key = str(app.flags["api_key"])
        return key, {"api_key": key}
    if from_stdin or key_file == "-":
        key = sys.stdin.readline().strip()
        if not key:
            raise UsageError("no API key on stdin")
        return key, {"api_key": key}
    if key_file:
        absolute = os.path.abspath(os.path.expanduser(str(key_file)))
        try:
            with open(absolute, encoding="utf-8") as handle:
                key = handle.read().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read key file {absolute}: {getattr(exc, 'strerror', exc)}")
        if not key:
            raise UsageError(f"key file {absolute} is empty")
        return key, {"api_key_file": absolute}
    if not interactive:
        raise UsageError(
            "no API key given", hint="pass --api-key-file PATH or --api-key-stdin (or run on a tty)"
        )
    while True:
        key = click.prompt("Admin API key (input hidden)", hide_input=True, err=True).strip()
        if key:
            return key, {"api_key": key}


def _verify(app: App, uri: str, key: str, table: dict[str, Any]) -> None:
    from apinode_admin_cli.cli.ping import check_ping
    from apinode_admin_cli.client import APINodeAdminClient

    cert: Any = table.get("client_cert")
    if cert and table.get("client_key"):
        cert = (cert, table["client_key"])
    timeout = app.flags.get("timeout")
    client = APINodeAdminClient(
        uri,
        key,
        no_check_certificate=bool(table.get("no_check_certificate")),
        client_certificate=cert,
        ca_bundle=table.get("ca_bundle"),
        timeout=float(timeout) if timeout else 10.0,
        retries=1,
    )
    app.info(f"Testing {uri} ...")
    try:
        result = client.ping()
        check_ping(uri, result)
    except ApinodeAdminError as exc:
        exc.hint = "nothing was saved; fix it, or pass --no-verify to save anyway"
        raise
    version = f", DSS {result.dss_version}" if result.dss_version else ""
    app.info(f"The node answered in {result.elapsed_ms:.0f} ms and accepted the key{version}.")
