"""``run-function``: call a Python or R function endpoint with its arguments."""

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
from apinode_admin_cli.cli.userapi.views import function_rows


@click.command("run-function")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("endpoint")
@click.argument("inputs", nargs=-1, metavar="[K=V ...]")
@input_options
@auth_options
@output_options
@pass_app
def run_function(
    app: App, service_id: str, endpoint: str, inputs: tuple[str, ...], json_src: Optional[str]
) -> None:
    """Run a function endpoint (Python or R) of a service (user API); prints what it returned.

    The function's arguments come as K=V words (typed: x=21 sends a number) or --input; none
    at all calls it without arguments. An object it returns prints as one row, a list of
    objects as rows, anything else as one value; -o json prints the node's whole answer.

    \b
    Examples:
      apinode-admin run-function tools double x=21
      apinode-admin run-function tools score --input '{"items": [1, 2]}' -o json
    """
    arguments = build_object(inputs, json_src, "arguments", required=False)

    def call(client: Any) -> Any:
        return client.run_function(endpoint, **arguments)

    run(app, user_op(service_id, call, function_rows), admin=False)
