"""``metrics watch``: metrics of a node or a fleet, refreshed."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app


@click.command("watch")
@click.option(
    "--interval",
    type=float,
    default=2.0,
    metavar="SECONDS",
    help="Seconds between polls: 0.1 to 3600 (default 2).",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Stop after N polls (default: until Ctrl-C).",
)
@output_options
@pass_app
def metrics_watch(app: App, interval: float, count: Optional[int]) -> None:
    """Poll the metrics and show what changes: value, change and rate per second.

    On a terminal, a live table of the metrics that changed (one column group per node
    with --fleet), until Ctrl-C, which exits 0. Elsewhere, or with -o json (--json), one
    JSON object per poll and node per line: {"time", "node", "error", "metrics", "rates"}.
    With -o tsv or -o plain, one tab-separated line per changed metric: TIME, NODE,
    METRIC, VALUE, CHANGE, RATE/S. A node that does not answer is shown as such and the
    watch goes on; a --count watch then ends with that node's exit code (7 when
    unreachable).

    \b
    Examples:
      apinode-admin metrics watch
      apinode-admin --fleet prod metrics watch --interval 5
      apinode-admin metrics watch --count 3 | jq -c '.rates["services.churn.requests"]'
      apinode-admin metrics watch -o tsv --no-headers | cut -f3,6
    """
    from apinode_admin_cli.cli.metrics.watch_loop import check_interval, run_watch

    run_watch(app, check_interval(interval), count)
