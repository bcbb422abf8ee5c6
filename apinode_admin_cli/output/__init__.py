"""Renderers (rich table, tabulate plain, TSV, JSON) over declared column specs.

Importing this package stays cheap: names load from their modules when first used, and rich
and tabulate only when a table is printed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apinode_admin_cli.lazy import lazy_exports

if TYPE_CHECKING:
    from apinode_admin_cli.output.column import Column
    from apinode_admin_cli.output.jsonout import hide_secrets, render_json
    from apinode_admin_cli.output.tables import cells, render
    from apinode_admin_cli.output.values import (
        KINDS,
        compact_json,
        flat_records,
        flatten,
        format_value,
        get_path,
    )

_HOMES = {
    "Column": "column",
    "render_json": "jsonout",
    "hide_secrets": "jsonout",
    "cells": "tables",
    "render": "tables",
    "KINDS": "values",
    "compact_json": "values",
    "flat_records": "values",
    "flatten": "values",
    "format_value": "values",
    "get_path": "values",
}


__getattr__ = lazy_exports(__name__, _HOMES)

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
