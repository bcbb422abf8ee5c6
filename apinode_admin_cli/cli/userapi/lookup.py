"""``lookup``: look records up on a dataset lookup endpoint, one or a whole file."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.cli.userapi import batch as batches
from apinode_admin_cli.cli.userapi.common import (
    auth_options,
    build_object,
    context_option,
    input_options,
    load_object,
    user_op,
)
from apinode_admin_cli.cli.userapi.views import lookup_rows
from apinode_admin_cli.errors import UsageError


@click.command("lookup")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("endpoint")
@click.argument("inputs", nargs=-1, metavar="[K=V ...]")
@input_options
@batches.batch_options
@context_option
@auth_options
@output_options(extra=batches.STREAMED)
@pass_app
def lookup(
    app: App,
    /,
    service_id: str,
    endpoint: str,
    inputs: tuple[str, ...],
    json_src: Optional[str],
    batch: Optional[str],
    context_src: Optional[str],
    output_format: Optional[str],
    **options: Any,
) -> None:
    """Look a record up on a dataset lookup endpoint of a service (user API).

    The lookup keys come as K=V words or --input; prints the columns the endpoint retrieves,
    or IGNORED with the reason when nothing matched. --batch FILE looks every row of a CSV,
    JSON lines or JSON array file up with lookup-multi: one output row per input row (its
    columns, then the retrieved ones), rows that found nothing with their reason.

    \b
    Examples:
      apinode-admin lookup crm customer email=ann@example.com
      apinode-admin lookup crm customer --batch emails.csv -o csv > customers.csv
    """
    context = load_object(context_src, "the context") if context_src else None
    if batch is not None:
        if inputs or json_src:
            raise UsageError("give either --batch or the keys of one record, not both")

        def send(client: Any, records: list[dict[str, Any]]) -> Any:
            return client.lookup_records(endpoint, records)

        batches.run(app, service_id, batch, "lookup", send, output_format, options, context)
        return
    batches.refuse_single(output_format)
    keys = build_object(inputs, json_src, "keys")

    def call(client: Any) -> Any:
        # As dataikuapi's lookup_record: the one result of the answer ({"data": ...}).
        return client.lookup_record(endpoint, keys, context)

    def show(result: Any) -> Any:
        return lookup_rows([result], result)

    run(app, user_op(service_id, call, show), admin=False)
