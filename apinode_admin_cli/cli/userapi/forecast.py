"""``forecast``: forecast with a time series endpoint from its past rows."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.cli.userapi.common import (
    auth_options,
    dispatch_options,
    is_json_source,
    load_json,
    user_op,
)
from apinode_admin_cli.cli.userapi.views import forecast_rows
from apinode_admin_cli.errors import UsageError

MAX_ROWS = 1_000_000


def _rows_of_file(source: str, fmt: Optional[str], text_columns: str) -> list[dict[str, Any]]:
    import io
    import sys

    from apinode_admin_cli.scoring.batch import open_source
    from apinode_admin_cli.scoring.reader import open_rows

    raw, name, _ = open_source(source, sys.stdin.buffer)
    try:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        columns = [c.strip() for c in text_columns.split(",") if c.strip()]
        rows = []
        for row in open_rows(text, name, fmt, columns):
            rows.append(row.record["features"])
            if len(rows) > MAX_ROWS:
                raise UsageError(f"{name} holds more than {MAX_ROWS:,} rows")
        return rows
    finally:
        if source != "-":
            raw.close()


def load_history(
    words: tuple[str, ...], json_src: Optional[str], batch: Optional[str], fmt: Any, text: str
) -> list[Any]:
    """The past rows: a JSON array (word, --input) or a batch file (CSV, JSON lines, array)."""
    sources = [w for w in words if is_json_source(w, True)] + ([json_src] if json_src else [])
    others = [w for w in words if not is_json_source(w, True)]
    if others:
        raise UsageError(
            f"unexpected argument {others[0]!r}: a forecast takes rows, not K=V words",
            hint="give the past rows as --input '[{...}, ...]', @FILE, - or --batch FILE.csv",
        )
    if len(sources) + (batch is not None) != 1:
        raise UsageError(
            "give the past rows once: a JSON array (--input JSON|@FILE|-) or --batch FILE",
        )
    if batch is not None:
        rows = _rows_of_file(batch, fmt, text)
    else:
        rows = load_json(sources[0], "the rows")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise UsageError('the rows must be a JSON array of objects: [{"date": ...}, ...]')
    if not rows:
        raise UsageError("no rows given: a forecast needs the series' past rows")
    return rows


@click.command("forecast")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("endpoint")
@click.argument("inputs", nargs=-1, metavar="[ROWS_JSON|@FILE|-]")
@click.option("--input", "json_src", metavar="JSON|@FILE|-", help="The past rows: a JSON array.")
@click.option("--batch", metavar="FILE|-", help="The past rows from a CSV or JSON lines file.")
@click.option("--batch-format", type=click.Choice(["csv", "jsonl", "json"]), help="Its format.")
@click.option("--text-columns", default="", metavar="COL,...", help="CSV columns kept as text.")
@dispatch_options
@auth_options
@output_options
@pass_app
def forecast(
    app: App,
    service_id: str,
    endpoint: str,
    inputs: tuple[str, ...],
    json_src: Optional[str],
    batch: Optional[str],
    batch_format: Optional[str],
    text_columns: str,
    forced_generation: Optional[str],
    dispatch_key: Optional[str],
) -> None:
    """Forecast with a time series endpoint of a service (user API).

    The input is the series' past rows (date, identifier columns, target, external features),
    as a JSON array or a CSV / JSON lines file; the endpoint forecasts the horizon after the
    last date of each series. Prints one row per forecast point with its quantiles.

    \b
    Examples:
      apinode-admin forecast sales daily --batch history.csv
      apinode-admin forecast sales daily --input @history.json -o json
    """
    rows = load_history(inputs, json_src, batch, batch_format, text_columns)

    def call(client: Any) -> Any:
        return client.forecast(endpoint, rows, forced_generation, dispatch_key)

    run(app, user_op(service_id, call, forecast_rows), admin=False)
