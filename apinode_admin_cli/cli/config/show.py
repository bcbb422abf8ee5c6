"""``config show``: every setting, its value and where it came from."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.render import show
from apinode_admin_cli.cli.common.results import Rows

# `config init` lives in its own module; it registers itself on this group.
from apinode_admin_cli.config.schema import SETTINGS


@click.command("show")
@output_options
@pass_app
def config_show(app: App) -> None:
    """Show every effective setting and its source; the key is masked.

    With --fleet, each node's settings (its own profile's), one table per node under its
    name (-o json: {NODE: {SETTING: {value, source}}}).

    \b
    Examples:
      apinode-admin config show
      apinode-admin --profile prod config show -o json
      apinode-admin --fleet prod config show
    """
    from apinode_admin_cli.cli.common.targets import fleet_of

    fleet = fleet_of(app)
    if fleet is None:
        show(app, _settings_rows(app.settings))
        return
    # The default profile is not in effect for any node of a fleet: show what each one uses.
    found = app.node_settings(fleet)
    if app.wants_json:
        app.term.emit_json({name: _settings_rows(s).raw for name, s in found.items()})
        return
    for index, (name, settings) in enumerate(found.items()):
        if index:
            app.term.echo("")
        app.term.echo(f"# {name} (fleet {fleet.name})")
        show(app, _settings_rows(settings))


def _settings_rows(settings: Any) -> Rows:
    from apinode_admin_cli.output.columns import SETTINGS as COLUMNS
    from apinode_admin_cli.redact import mask

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
    return Rows(rows, COLUMNS, raw=raw)
