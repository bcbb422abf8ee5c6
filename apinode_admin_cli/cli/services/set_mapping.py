"""``services set-mapping``: split traffic between generations."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
    read_text_input,
)
from apinode_admin_cli.cli.common.results import Action, Result
from apinode_admin_cli.errors import UsageError


@click.command("set-mapping")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("mapping_file", required=False, type=click.Path(), metavar="[FILE|-]")
@click.option(
    "--entry",
    "entries",
    multiple=True,
    metavar="GENERATION=PROBA",
    help="One mapping entry; repeat it. PROBA is a share (0.9) or a percentage (90%).",
)
@output_options
@pass_app
def services_set_mapping(
    app: App, service_id: str, mapping_file: Optional[str], entries: tuple[str, ...]
) -> None:
    """Split traffic between generations; this also enables the service.

    The mapping is checked before anything is sent: entries present, distinct generations,
    probabilities in [0, 1] that sum to 1. Unknown fields of a JSON mapping are sent as given.

    \b
    Examples:
      apinode-admin services set-mapping churn --entry v1=0.9 --entry v2=0.1
      apinode-admin services set-mapping churn mapping.json
      echo '{"entries":[{"generation":"v2","proba":1}]}' \\
        | apinode-admin services set-mapping churn -
    """
    from apinode_admin_cli.mapping import mapping_from_entries, parse_mapping_text

    if mapping_file and entries:
        raise UsageError("give the mapping either as FILE or as --entry options, not both")
    if entries:
        from apinode_admin_cli.cli.common.options import naming

        with naming("--entry"):
            mapping = mapping_from_entries(entries)
    elif mapping_file:
        text = read_text_input(mapping_file, stdin=app.term.inp)
        mapping = parse_mapping_text(text, _input_name(mapping_file))
    else:
        raise UsageError(
            "no mapping given",
            hint="pass --entry GEN=PROBA (repeatable), a JSON file, or - to read JSON on stdin",
        )
    shares = ", ".join(f"{e['generation']} {e['proba']:.0%}" for e in mapping["entries"])

    from apinode_admin_cli.cli.services.fleet_traffic import check_fleet, run_traffic_change

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).set_generations_mapping(mapping)
        node.info(f"Mapping of {service_id} set ({shares}); the service is enabled.")
        return Action(answer)

    check_fleet(app, service_id, [e["generation"] for e in mapping["entries"]])
    run_traffic_change(app, service_id, op, lambda result: shares)


def _input_name(path: str) -> str:
    return "the mapping on stdin" if path == "-" else f"mapping file {path}"
