"""``predict-effect``: the treatment effect a causal endpoint predicts, one record or a file."""

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
    dispatch_options,
    input_options,
    user_op,
)
from apinode_admin_cli.cli.userapi.views import effect_rows
from apinode_admin_cli.errors import UsageError


@click.command("predict-effect")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("endpoint")
@click.argument("inputs", nargs=-1, metavar="[K=V ...]")
@input_options
@batches.batch_options
@dispatch_options
@auth_options
@output_options(extra=batches.STREAMED)
@pass_app
def predict_effect(
    app: App,
    /,
    service_id: str,
    endpoint: str,
    inputs: tuple[str, ...],
    json_src: Optional[str],
    batch: Optional[str],
    forced_generation: Optional[str],
    dispatch_key: Optional[str],
    output_format: Optional[str],
    **options: Any,
) -> None:
    """Predict treatment effects with a causal endpoint of a service (user API).

    Features come as K=V words or --input (neither treatment nor outcome columns). --batch FILE
    scores every row of a CSV, JSON lines or JSON array file with predict-effect-multi, as
    `predict --batch` does: one output row per input row, failed rows with their reason.

    \b
    Examples:
      apinode-admin predict-effect uplift offer age=42 plan=pro
      apinode-admin predict-effect uplift offer --batch customers.csv -o csv > effects.csv
    """
    if batch is not None:
        if inputs or json_src:
            raise UsageError("give either --batch or the features of one record, not both")

        def send(client: Any, records: list[dict[str, Any]]) -> Any:
            return client.predict_effects(endpoint, records, forced_generation, dispatch_key)

        batches.run(app, service_id, batch, "effect", send, output_format, options)
        return
    batches.refuse_single(output_format)
    features = build_object(inputs, json_src, "features")

    def call(client: Any) -> Any:
        return client.predict_effect(endpoint, features, forced_generation, dispatch_key)

    run(app, user_op(service_id, call, lambda a: effect_rows(a, False)), admin=False)
