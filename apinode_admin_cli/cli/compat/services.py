"""The original tool's service commands: ``services-list``, ``service-create``, ..."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app, read_stream
from apinode_admin_cli.cli.common.targets import one_node
from apinode_admin_cli.cli.compat.common import (
    OK,
    dash_if_empty,
    dumps,
    formatting_options,
    no_header_option,
    print_table,
    say,
)

SERVICE = click.argument("service", metavar="SERVICE")


@click.command("services-list")
@no_header_option
@pass_app
def services_list(app: App, no_header: bool) -> None:
    """List services: Service, Enabled, Error (modern: services list).

    \b
    Examples:
      apinode-admin services-list
      apinode-admin services-list --no-header | awk '$2 == "True" {print $1}'
    """
    rows = [
        [s["serviceId"], str(s.get("enabled")), dash_if_empty(s.get("startAbortedReason"))]
        for s in one_node(app).client.list_services()
    ]
    print_table(rows, ["Service", "Enabled", "Error"], no_header)


@click.command("service-create")
@SERVICE
@pass_app
def service_create(app: App, service: str) -> None:
    """Create a service (modern: services create).

    \b
    Example:
      apinode-admin service-create churn
    """
    one_node(app).client.create_service(service)
    say(f"Creating service {service}", OK)


@click.command("service-delete")
@SERVICE
@pass_app
def service_delete(app: App, service: str) -> None:
    """Delete a service, without asking, printing nothing (modern: services delete -y).

    \b
    Example:
      apinode-admin service-delete churn
    """
    one_node(app).client.service(service).delete()


@click.command("service-enable")
@SERVICE
@pass_app
def service_enable(app: App, service: str) -> None:
    """Enable a service (modern: services enable).

    \b
    Example:
      apinode-admin service-enable churn
    """
    one_node(app).client.service(service).enable()
    say(f"Enabling service {service}", OK)


@click.command("service-disable")
@SERVICE
@pass_app
def service_disable(app: App, service: str) -> None:
    """Disable a service (modern: services disable).

    \b
    Example:
      apinode-admin service-disable churn
    """
    one_node(app).client.service(service).disable()
    say(f"Disabling service {service}", OK)


@click.command("service-switch-to-newest")
@SERVICE
@pass_app
def service_switch_to_newest(app: App, service: str) -> None:
    """Send all traffic to the newest generation (modern: services switch-to-newest).

    \b
    Examples:
      apinode-admin service-switch-to-newest churn
      apinode-admin service-switch-to-newest churn | sed -n 's/^Switched to generation=//p'
    """
    answer = one_node(app).client.service(service).switch_to_newest()
    say(f"Switching to newest available generation for service {service}")
    if isinstance(answer, dict) and "switchedToGeneration" in answer:
        say(f"Switched to generation={answer['switchedToGeneration']}")


@click.command("service-switch-to-generation")
@SERVICE
@click.argument("generation", metavar="GENERATION")
@pass_app
def service_switch_to_generation(app: App, service: str, generation: str) -> None:
    """Send all traffic to one generation (modern: services switch-to).

    \b
    Example:
      apinode-admin service-switch-to-generation churn v1
    """
    one_node(app).client.service(service).switch_to_single_generation(generation)
    say(f"Switching to generation {generation} for service {service}", OK)


@click.command("service-set-mapping")
@SERVICE
@pass_app
def service_set_mapping(app: App, service: str) -> None:
    """Set the generations mapping, read as JSON on stdin (modern: services set-mapping).

    The mapping is checked before it is sent (entries, known shape, probabilities summing
    to 1); an invalid one exits with code 2 and changes nothing.

    \b
    Examples:
      echo '{"entries": [{"generation": "v1", "proba": 0.9},
                         {"generation": "v2", "proba": 0.1}]}' \\
        | apinode-admin service-set-mapping churn
      apinode-admin service-set-mapping churn < mapping.json
    """
    from apinode_admin_cli.mapping import parse_mapping_text

    mapping = parse_mapping_text(read_stream(app.term.inp), "the mapping on stdin")
    one_node(app).client.service(service).set_generations_mapping(mapping)
    say(f"Setting mapping for service {service}", OK)


@click.command("services-clean")
@formatting_options
@pass_app
def services_clean(app: App, output: str, no_header: bool) -> None:
    """Delete disabled services and unused generations, without asking.

    Modern: services clean-unused -y. Prints what the node removed, as a Key/Value table
    or, with --output json, as the node's JSON on one line.

    \b
    Examples:
      apinode-admin services-clean
      apinode-admin services-clean --output json
    """
    answer = one_node(app).client.clean_unused_services_and_generations()
    _print_summary("Cleaning unused services and generations", answer, output, no_header)


@click.command("__clean-code-env-cache")
@formatting_options
@pass_app
def clean_code_env_cache(app: App, output: str, no_header: bool) -> None:
    """Delete the code envs no generation uses, without asking (DSS 13.0).

    Modern: code-envs clean -y. Prints what the node removed as services-clean does, as a
    Key/Value table or, with --output json, as the node's JSON on one line.

    \b
    Examples:
      apinode-admin __clean-code-env-cache
      apinode-admin __clean-code-env-cache --output json
    """
    answer = one_node(app).client.clean_code_env_cache()
    _print_summary("Cleaning code env cache", answer, output, no_header)


def _print_summary(title: str, answer: Any, output: str, no_header: bool) -> None:
    from apinode_admin_cli.output import flatten

    if output == "json":
        say(dumps(answer if answer is not None else {}))
        return
    say(title)
    rows = [[name, value] for name, value in flatten(answer if answer is not None else {})]
    print_table(rows, ["Key", "Value"], no_header)
