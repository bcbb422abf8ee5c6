"""Renderers (rich table, tabulate plain, TSV, JSON) over declared column specs.

Importing this package stays cheap: rich and tabulate load only when a table is printed.
"""

from __future__ import annotations

from apinode_admin_cli.output.render import (
    Column,
    cells,
    hide_secrets,
    render,
    render_json,
)
from apinode_admin_cli.output.values import (
    KINDS,
    compact_json,
    flat_records,
    flatten,
    format_value,
    get_path,
)

__all__ = [
    "KINDS",
    "Column",
    "cells",
    "compact_json",
    "flat_records",
    "flatten",
    "format_value",
    "get_path",
    "hide_secrets",
    "render",
    "render_json",
]
