"""``state export``: what a node or a fleet serves, as a desired-state file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.redactor import printable
from apinode_admin_cli.cli.common.render_reports import show_each
from apinode_admin_cli.cli.common.targets import session

if TYPE_CHECKING:
    pass


@click.command("export")
@click.argument("services", nargs=-1, metavar="[SERVICE]...", shell_complete=service_ids)
@click.option(
    "--deployer",
    "from_deployer",
    is_flag=True,
    help="Export the API Deployer's deployments as [deployments.NAME] tables instead.",
)
@output_options
@pass_app
def state_export(app: App, services: tuple[str, ...], from_deployer: bool) -> None:
    """Print what the node serves now as a state file (TOML; JSON with -o json).

    Generations export as "" (they must exist: the node does not know the archives' paths),
    so applying the exported file changes nothing. On a fleet, one document per node, each
    after a comment naming the node (-o json: one object per node).

    \b
    Examples:
      apinode-admin state export > apinode/prod.toml
      apinode-admin state export churn fraud -o json
      apinode-admin state export --deployer > deployer/prod.toml
    """
    if from_deployer:
        if services:
            from apinode_admin_cli.errors import UsageError

            raise UsageError("--deployer exports every deployment: it takes no SERVICE")
        from apinode_admin_cli.cli.state.deployer import export_deployments_cli

        export_deployments_cli(app)
        return
    from apinode_admin_cli.state import dumps_state_toml, export_state

    def op(node: Node) -> Any:
        return export_state(node.client, list(services) or None)

    with session(app) as nodes:
        exported = nodes.run(op)
    shown: list[str] = []

    def show_text(name: Optional[str], data: Any) -> None:
        # A fleet's files follow each other, each headed by its node.
        if name:
            if shown:
                app.term.echo("")
            app.term.echo(printable(f"# {name} ({nodes.uris[name]})"))
        shown.append(name or "")
        app.term.echo(dumps_state_toml(data), nl=False)

    show_each(app, nodes, exported, lambda data: data, show_text)
