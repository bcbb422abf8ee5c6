"""``openapi``: the OpenAPI document a node publishes for a service."""

from __future__ import annotations

from typing import Any

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Rows
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.cli.userapi.common import auth_options, user_op


def path_rows(document: Any) -> Rows:
    """One row per operation: METHOD, PATH (under the base path), SUMMARY."""

    document = document if isinstance(document, dict) else {}
    base = str(document.get("basePath") or "")
    paths = document.get("paths") if isinstance(document.get("paths"), dict) else {}
    rows = [
        {"method": method.upper(), "path": base + path, "summary": (op or {}).get("summary")}
        for path, ops in paths.items()
        if isinstance(ops, dict)
        for method, op in ops.items()
    ]
    from apinode_admin_cli.output.columns import OPENAPI_PATHS

    return Rows(rows, OPENAPI_PATHS, raw=document)


@click.command("openapi")
@click.argument("service_id", shell_complete=service_ids)
@auth_options
@output_options
@pass_app
def openapi(app: App, service_id: str) -> None:
    """Show the OpenAPI document of a service's endpoints (its /swagger); -o json prints it.

    \b
    Examples:
      apinode-admin openapi churn
      apinode-admin openapi churn -o json > churn-openapi.json
    """

    def call(client: Any) -> Any:
        return client.get_swagger()

    run(app, user_op(service_id, call, path_rows), admin=False)
