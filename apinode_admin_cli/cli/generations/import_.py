"""``generations import``: a package archive as a new generation (``import`` is a keyword)."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.targets import run


@click.command("import")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("archive", type=click.Path())
@click.option("--activate", is_flag=True, help="Then send all traffic to the generation created.")
@output_options
@pass_app
def generations_import(app: App, service_id: str, archive: str, activate: bool) -> None:
    """Import a generation from a package archive on the node's disk; says which one.

    ARCHIVE is read by the node from its own disk: copy it there first (on every node of
    a high-availability setup). For a remote node give an absolute path; for a node on
    this machine a relative path is made absolute. The generation's id is the package's
    version id. With --activate, the generation this import created takes all traffic
    and its id is printed on stdout. -o json prints the node's answer plus
    "generationId" (and "switchedToGeneration" with --activate).

    \b
    Examples:
      apinode-admin generations import churn /srv/packages/churn-v2.zip
      GEN=$(apinode-admin generations import churn /srv/packages/churn-v2.zip --activate)
    """
    from apinode_admin_cli.cli.generations.common import import_generation

    run(app, lambda node: import_generation(node, service_id, archive, activate))
