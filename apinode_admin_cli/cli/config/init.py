"""``config init``: create a profile, asking for what the flags do not give, tested first."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.config.schema import SETTINGS
from apinode_admin_cli.errors import ApinodeAdminError, ConfigError, UsageError

# `--uri`, `--api-key` and `--api-key-file` are global options, accepted after the command
# too, so `config init --uri X` reaches this command through app.flags. The TLS settings
# given on the line are saved with the profile.
MAX_KEY_CHARS = 64 * 1024
_SAVED_WITH_PROFILE = tuple(
    decl.name
    for decl in SETTINGS
    if decl.transport and decl.in_profile and decl.kind in ("path", "bool")
)


@click.command("init")
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
    from apinode_admin_cli.cli.config.common import config_file
    from apinode_admin_cli.config import convert, edit_config, env_value, load_config

    path = config_file(app)
    profile = str(app.flags.get("profile") or env_value("profile", app.env) or "default")
    profiles = load_config(path).get("profiles", {})
    interactive = (
        app.term.in_is_tty() and not api_key_stdin and app.flags.get("api_key_file") != "-"
    )
    if profile in profiles and not force:
        _confirm_replace(app, profile, path, interactive)

    uri = _init_uri(app, interactive)
    key, entry = _init_key(app, interactive, api_key_stdin)
    table: dict[str, Any] = {"uri": uri, **entry}
    for name in _SAVED_WITH_PROFILE:
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
    # Read again under the lock: other writers may have changed the file meanwhile.
    with edit_config(path) as data:
        profiles = data.setdefault("profiles", {})
        first = not profiles
        profiles[profile] = table
        if first and profile != "default" and not data.get("default_profile"):
            data["default_profile"] = profile  # the only profile should be the one used
    app.term.info(f"Saved profile {profile!r} to {path} (mode 0600).")
    app.term.info("Next: apinode-admin services list")


def _confirm_replace(app: App, profile: str, path: Path, interactive: bool) -> None:
    if not interactive:
        raise UsageError(
            f"profile {profile!r} exists already in {path}",
            hint="pass --force to replace it, or --profile NAME to create another one",
        )
    if not app.term.confirm(f"Profile {profile!r} exists in {path}. Replace it?"):
        raise ApinodeAdminError("cancelled: nothing was changed")


def _init_uri(app: App, interactive: bool) -> str:
    from apinode_admin_cli.config import convert

    raw = app.flags.get("uri")
    while True:
        if not raw:
            if not interactive:
                raise UsageError("no URI given", hint="pass --uri URL, e.g. http://host:12000")
            raw = app.term.prompt("API node URI (e.g. http://host:12000)")
        try:
            return str(convert("uri", str(raw)))
        except ValueError as exc:
            if not interactive or app.flags.get("uri"):
                raise UsageError(f"invalid --uri: {exc}")
            app.term.say(f"Invalid URI: {exc}")
            raw = None


def _init_key(app: App, interactive: bool, from_stdin: bool) -> tuple[str, dict[str, str]]:
    """The key, and what the profile stores: the key file's path when one was given."""
    from apinode_admin_cli.config import read_key_file

    key_file = app.flags.get("api_key_file")
    if app.flags.get("api_key"):
        key = str(app.flags["api_key"])
        return key, {"api_key": key}
    if from_stdin or key_file == "-":
        # Bounded: a key is short, and stdin could be /dev/zero.
        key = app.term.inp.readline(MAX_KEY_CHARS + 1)
        if len(key) > MAX_KEY_CHARS:
            raise UsageError(f"the line on stdin is longer than {MAX_KEY_CHARS} characters")
        key = key.strip()
        if not key:
            raise UsageError("no API key on stdin")
        return key, {"api_key": key}
    if key_file:
        absolute = os.path.abspath(os.path.expanduser(str(key_file)))
        try:
            return read_key_file(absolute), {"api_key_file": absolute}
        except ConfigError as exc:
            # Given on this command line: a usage error of this command, not of the config.
            raise UsageError(exc.message) from None
    if not interactive:
        raise UsageError(
            "no API key given", hint="pass --api-key-file PATH or --api-key-stdin (or run on a tty)"
        )
    while True:
        key = app.term.prompt("Admin API key (input hidden)", hide_input=True).strip()
        if key:
            return key, {"api_key": key}


def _verify(app: App, uri: str, key: str, table: dict[str, Any]) -> None:
    from apinode_admin_cli.cli.node.ping import check_ping
    from apinode_admin_cli.config import convert
    from apinode_admin_cli.config.connect import admin_client

    try:
        timeout = convert("timeout", app.flags["timeout"]) if app.flags.get("timeout") else 10.0
    except ValueError as exc:
        raise UsageError(f"invalid value for --timeout: {exc}")
    client = admin_client(table, uri, key, timeout=timeout, retries=1)
    app.term.info(f"Testing {uri} ...")
    try:
        result = client.ping()
        check_ping(uri, result)
    except ApinodeAdminError as exc:
        exc.hint = "nothing was saved; fix it, or pass --no-verify to save anyway"
        raise
    finally:
        client.close()
    version = f", DSS {result.dss_version}" if result.dss_version else ""
    app.term.info(f"The node answered in {result.elapsed_ms:.0f} ms and accepted the key{version}.")
