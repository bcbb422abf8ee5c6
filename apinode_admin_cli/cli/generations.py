"""``generations``: list, import and preload the generations of a service."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.complete import generation_ids, service_ids
from apinode_admin_cli.cli.node import Node
from apinode_admin_cli.cli.options import output_options, pass_app
from apinode_admin_cli.cli.results import Action, Result, Rows


@click.group()
def generations() -> None:
    """Manage the generations (package versions) of a service."""


@generations.command("list")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def generations_list(app: App, service_id: str) -> None:
    """List a service's generations and their share of traffic.

    \b
    Examples:
      apinode-admin generations list churn
      apinode-admin generations list churn -o json | jq -r '.generations[].generationId'
    """
    from apinode_admin_cli.output.columns import GENERATIONS

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).get_generations()
        return Rows(answer["generations"], GENERATIONS, raw=answer)

    app.run(op)


@generations.command("import")
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
    from apinode_admin_cli.cli.imports import import_generation

    app.run(lambda node: import_generation(node, service_id, archive, activate))


@generations.command("preload")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("generation", shell_complete=generation_ids)
@output_options
@pass_app
def generations_preload(app: App, service_id: str, generation: str) -> None:
    """Load a generation into memory before it takes traffic.

    \b
    Example:
      apinode-admin generations preload churn v2
    """

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).preload_generation(generation)
        node.info(f"Preloaded generation {generation} of service {service_id}.")
        return Action(answer)

    app.run(op)
