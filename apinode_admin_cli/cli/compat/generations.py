"""The original tool's generation commands: import, preload and list."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.cli.common.targets import one_node
from apinode_admin_cli.cli.compat.common import OK, no_header_option, print_table, say


@click.command("service-import-generation")
@click.argument("service", metavar="SERVICE")
@click.argument("archive", metavar="ARCHIVE")
@pass_app
def service_import_generation(app: App, service: str, archive: str) -> None:
    """Import a generation from an archive on the node's disk (modern: generations import).

    ARCHIVE is sent as an absolute path; the node reads it from its own disk. The new
    generation is not active until a switch or a mapping activates it.

    \b
    Examples:
      apinode-admin service-import-generation churn /srv/packages/v2.zip
      apinode-admin service-import-generation churn v2.zip && \\
        apinode-admin service-switch-to-newest churn
    """
    path = one_node(app).node_path(archive)
    one_node(app).client.service(service).import_generation_from_archive(path)
    # The original echoes the path as typed; scripts may match on it.
    say(f"Importing service generation for service={service} from file={archive}", OK)
    from shlex import quote

    app.term.info(
        f"Hint: the generation is not active yet: run service-switch-to-newest {quote(service)} "
        "or set a mapping."
    )


@click.command("service-preload-generation")
@click.argument("service", metavar="SERVICE")
@click.argument("generation", metavar="GENERATION")
@pass_app
def service_preload_generation(app: App, service: str, generation: str) -> None:
    """Load a generation into memory before it takes traffic (modern: generations preload).

    \b
    Example:
      apinode-admin service-preload-generation churn v2
    """
    one_node(app).client.service(service).preload_generation(generation)
    say(f"Preloading service generation {generation} for service={service}", OK)


@click.command("service-list-generations")
@click.argument("service", metavar="SERVICE")
@no_header_option
@pass_app
def service_list_generations(app: App, service: str, no_header: bool) -> None:
    """List generations: Gen. Tag, Created, Mounted, Mapped % (modern: generations list).

    Created is the node's local-time date of import, as the original prints it.

    \b
    Examples:
      apinode-admin service-list-generations churn
      apinode-admin service-list-generations churn --no-header | awk '$NF > 0 {print $1}'
    """
    from datetime import datetime

    rows = []
    for gen in one_node(app).client.service(service).list_generations():
        created = gen.get("createdOn")
        rows.append(
            [
                gen["generationId"],
                datetime.fromtimestamp(created / 1000) if created is not None else "-",
                str(gen.get("mounted")),
                (gen.get("mapped") or 0) * 100,
            ]
        )
    print_table(rows, ["Gen. Tag", "Created", "Mounted", "Mapped %"], no_header)
