"""``sql-query``: run a SQL query endpoint with its parameters."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.cli.userapi.common import (
    auth_options,
    build_object,
    input_options,
    user_op,
)
from apinode_admin_cli.cli.userapi.views import sql_rows


@click.command("sql-query")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("endpoint")
@click.argument("inputs", nargs=-1, metavar="[K=V ...]")
@input_options
@auth_options
@output_options
@pass_app
def sql_query(
    app: App, service_id: str, endpoint: str, inputs: tuple[str, ...], json_src: Optional[str]
) -> None:
    """Run a SQL query endpoint of a service (user API); prints the rows it selected.

    The query's named parameters come as K=V words or --input. A SELECT prints its rows under
    their column names; a statement prints how many rows it updated.

    \b
    Examples:
      apinode-admin sql-query crm customers_by_email email=ann@example.com
      apinode-admin sql-query crm recent --input '{"days": 7}' -o json
    """
    parameters = build_object(inputs, json_src, "parameters", required=False)

    def call(client: Any) -> Any:
        return client.sql_query(endpoint, parameters)

    run(app, user_op(service_id, call, sql_rows), admin=False)
