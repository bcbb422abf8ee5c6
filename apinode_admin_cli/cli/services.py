"""``services``: list, create, delete, enable, disable, switch and map services."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.complete import generation_ids, service_ids
from apinode_admin_cli.cli.lazygroup import LazyGroup
from apinode_admin_cli.cli.node import Node
from apinode_admin_cli.cli.options import output_options, pass_app, read_text_input, yes_option
from apinode_admin_cli.cli.reports import deleted, switched_to_newest
from apinode_admin_cli.cli.results import Action, Result, Rows
from apinode_admin_cli.errors import UsageError


# `describe` lives with the other views that fetch generations, `rollout` in its own module:
# both load only when asked for.
@click.group(
    cls=LazyGroup,
    lazy={
        "describe": "apinode_admin_cli.cli.service_views:services_describe",
        "rollout": "apinode_admin_cli.cli.rollout:rollout",
    },
)
def services() -> None:
    """Manage the services hosted by the node."""


@services.command("list")
@click.option(
    "--wide",
    is_flag=True,
    help="Add an ACTIVE column: the generation serving, or the mapping (one request more "
    "per service).",
)
@output_options
@pass_app
def services_list(app: App, wide: bool) -> None:
    """List services with their state; --wide adds what each one serves.

    With --wide, -o json adds to each service its "generations" as the node lists them.

    \b
    Examples:
      apinode-admin services list
      apinode-admin services list --wide
      apinode-admin services list -o json | jq -r '.[] | select(.enabled) | .serviceId'
    """
    from apinode_admin_cli.output.columns import SERVICES

    def op(node: Node) -> Result:
        records = node.client.list_services()
        if wide:
            from apinode_admin_cli.cli.service_views import wide_rows

            return wide_rows(node, records)
        return Rows(records, SERVICES, raw=records)

    app.run(op)


@services.command("create")
@click.argument("service_id")
@output_options
@pass_app
def services_create(app: App, service_id: str) -> None:
    """Create an empty service.

    \b
    Examples:
      apinode-admin services create churn
      apinode-admin generations import churn /srv/packages/v1.zip --activate
    """

    def op(node: Node) -> Result:
        answer = node.client.create_service(service_id)
        node.info(f"Created service {service_id}.")
        from shlex import quote  # here: `services list` need not import it

        node.info(f"Next: apinode-admin generations import {quote(service_id)} ARCHIVE --activate")
        return Action(answer)

    app.run(op)


@services.command("delete")
@click.argument("service_id", shell_complete=service_ids)
@yes_option
@output_options
@pass_app
def services_delete(app: App, service_id: str, yes: bool) -> None:
    """Delete a service and its generations.

    \b
    Examples:
      apinode-admin services delete churn          # asks on a terminal
      apinode-admin services delete churn --yes    # in scripts
    """
    app.confirm(f"Delete service {service_id}", yes)

    def op(node: Node) -> Result:
        return deleted(node, f"service {service_id}", node.client.service(service_id).delete())

    app.run(op)


@services.command("enable")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def services_enable(app: App, service_id: str) -> None:
    """Enable a service.

    \b
    Example:
      apinode-admin services enable churn
    """

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).enable()
        node.info(f"Enabled service {service_id}.")
        return Action(answer)

    app.run(op)


@services.command("disable")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def services_disable(app: App, service_id: str) -> None:
    """Disable a service: it stops answering predictions.

    \b
    Example:
      apinode-admin services disable churn
    """

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).disable()
        node.info(f"Disabled service {service_id}.")
        return Action(answer)

    app.run(op)


@services.command("switch-to-newest")
@click.argument("service_id", shell_complete=service_ids)
@output_options
@pass_app
def services_switch_to_newest(app: App, service_id: str) -> None:
    """Send all traffic to the newest generation; prints its id.

    \b
    Examples:
      apinode-admin services switch-to-newest churn
      GEN=$(apinode-admin services switch-to-newest churn)
    """
    app.run(
        lambda node: switched_to_newest(
            node, service_id, node.client.service(service_id).switch_to_newest()
        )
    )


@services.command("switch-to")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("generation", shell_complete=generation_ids)
@output_options
@pass_app
def services_switch_to(app: App, service_id: str, generation: str) -> None:
    """Send all traffic to one generation (a rollback, say).

    \b
    Example:
      apinode-admin services switch-to churn v1
    """

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).switch_to_single_generation(generation)
        node.info(f"Service {service_id} now serves generation {generation}.")
        return Action(answer)

    app.run(op)


@services.command("set-mapping")
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

    def op(node: Node) -> Result:
        answer = node.client.service(service_id).set_generations_mapping(mapping)
        node.info(f"Mapping of {service_id} set ({shares}); the service is enabled.")
        return Action(answer)

    app.run(op)


@services.command("clean-unused")
@click.option(
    "--dry-run",
    is_flag=True,
    help="List what the node is expected to delete, and change nothing.",
)
@yes_option
@output_options
@pass_app
def services_clean_unused(app: App, yes: bool, dry_run: bool) -> None:
    """Delete disabled services, generations that take no traffic, and unused code envs.

    Before asking, it lists what the node is expected to delete, computed from the current
    state (the node decides; its unused code envs cannot be listed beforehand). --dry-run
    prints that list on stdout and changes nothing. The result shows what the node says it
    deleted, one row per item; -o json prints the node's answer (with --dry-run:
    {"dryRun": true, "deletedServices": [...], "deletedGenerations": [...]}).

    \b
    Examples:
      apinode-admin services clean-unused --dry-run
      apinode-admin services clean-unused --yes -o json
    """
    from apinode_admin_cli.cli.cleanup import deleted_result, expected_rows, preview

    if dry_run:
        app.run(expected_rows)
        return
    if not yes and app.term.can_prompt():
        if app.fleet is None:
            preview(app)
        else:
            app.info("See what each node is expected to delete with --dry-run.")
    app.confirm("Delete disabled services, unused generations and code envs", yes)
    app.run(lambda node: deleted_result(node.client.clean_unused_services_and_generations()))


def _input_name(path: str) -> str:
    return "the mapping on stdin" if path == "-" else f"mapping file {path}"
