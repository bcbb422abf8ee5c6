"""``metrics show``: the metrics of a node, as a table, JSON or Prometheus text."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Result, Rows
from apinode_admin_cli.cli.common.targets import run, session

# Formats of `metrics show` alone: never a value of the `output` setting.
PROMETHEUS = "prometheus"


@click.command("show")
@output_options(extra=(PROMETHEUS,))
@pass_app
def metrics_show(app: App, output_format: Optional[str]) -> None:
    """Show every metric, nested keys flattened to dotted names.

    With -o prometheus, print the Prometheus text format (0.0.4) instead, for the
    node_exporter textfile collector or a push gateway; with --fleet, one exposition for
    every node, each sample labelled node="PROFILE", plus apinode_up{node=...} 1 or 0.

    \b
    Examples:
      apinode-admin metrics show
      apinode-admin metrics show -o tsv | grep requests
      apinode-admin metrics show -o json | jq .
      apinode-admin --fleet prod metrics show -o prometheus | grep apinode_up
    """
    if output_format == PROMETHEUS:
        show_prometheus(app)
        return

    from apinode_admin_cli.output import flat_records
    from apinode_admin_cli.output.columns import METRICS

    def op(node: Node) -> Result:
        data = node.client.get_metrics()
        return Rows(flat_records(data, "name"), METRICS, raw=data)

    run(app, op)


def show_prometheus(app: App) -> None:
    """The exposition of the node, or of every node of the fleet that answered."""
    from apinode_admin_cli.cli.common.render_reports import raise_failures, raise_if_one_failed
    from apinode_admin_cli.fleet.runner import OK
    from apinode_admin_cli.output.prometheus import exposition

    def read(node: Node) -> Any:
        return node.client.get_metrics()

    with session(app) as targets:
        outcomes = targets.run(read)
    raise_if_one_failed(targets, outcomes)
    # `apinode_up` comes first, for every node of a fleet (a fleet's nodes have names): the
    # textfile collector and the push gateway have no `up` of their own for the nodes behind
    # this command. A node's own top-level "up" number would be the same sample, and is
    # dropped as a duplicate.
    nodes: list[tuple[Optional[str], Any]] = [
        (o.node, {"up": int(o.outcome == OK)}) for o in outcomes if o.node
    ]
    nodes += [(o.node or None, o.result) for o in outcomes if o.outcome == OK]
    app.term.echo(exposition(nodes), nl=False)
    raise_failures(targets, outcomes)
