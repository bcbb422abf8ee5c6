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
    show(app, Rows(rows, COLUMNS, raw=raw))
