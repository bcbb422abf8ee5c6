"""``predict``: query a prediction (or clustering) endpoint, one record or a whole file.

Feature values given as ``K=V`` are typed (see ``common``); a batch file's CSV fields are typed
as ``scoring/reader.py`` says (numbers as numbers, empty as missing, ``--text-columns``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import service_ids
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Line, Result, Rows
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.cli.userapi import batch as batches
from apinode_admin_cli.cli.userapi.common import (
    auth_options,
    build_object,
    context_option,
    dispatch_options,
    explanation_options,
    input_options,
    is_json_source,
    load_object,
    user_op,
)
from apinode_admin_cli.errors import UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.output import Column


def prediction_rows(answer: Any, batch: bool) -> tuple[list[dict[str, Any]], list[Column]]:
    """Rows and columns: GENERATION (when known), PREDICTION, then one P(class) per class."""
    from apinode_admin_cli.output import get_path

    answer = answer if isinstance(answer, dict) else {}
    results = answer.get("results") if batch else [answer.get("result")]
    results = [r if isinstance(r, dict) else {} for r in (results or [])]
    served = get_path(answer, "apiContext.serviceGeneration") or answer.get("generation")
    classes: list[str] = []
    for result in results:
        probas = result.get("probas")
        for cls in probas if isinstance(probas, dict) else {}:
            if cls not in classes:
                classes.append(cls)
    rows = []
    for index, result in enumerate(results):
        probas = result.get("probas") if isinstance(result.get("probas"), dict) else {}
        row = {"index": index, "generation": result.get("generation") or served}
        row["prediction"] = result.get("prediction")
        row.update({f"p{i}": probas.get(cls) for i, cls in enumerate(classes)})
        row["ignored"] = result.get("ignoreReason") if result.get("ignored") else None
        rows.append(row)
    from apinode_admin_cli.output.columns import prediction_columns

    generation = any(row["generation"] is not None for row in rows)
    ignored = any(row["ignored"] for row in rows)
    return rows, prediction_columns(batch, generation, classes, ignored)


NO_FEATURES = (
    "give them as K=V words (age=42 plan=pro), --feature K=V, a JSON object "
    "('{\"age\": 42}'), @FILE or - (stdin); or many records with --batch FILE"
)


@click.command("predict")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("endpoint")
@click.argument("inputs", nargs=-1, metavar="[K=V ...|FEATURES_JSON|@FILE|-]")
@click.option("-f", "--feature", "feature_opts", multiple=True, metavar="K=V", help="A feature.")
@input_options
@batches.batch_options
@dispatch_options
@explanation_options
@context_option
@auth_options
@output_options(extra=batches.STREAMED)
@pass_app
def predict(
    app: App,
    /,
    service_id: str,
    endpoint: str,
    inputs: tuple[str, ...],
    feature_opts: tuple[str, ...],
    json_src: Optional[str],
    batch: Optional[str],
    forced_generation: Optional[str],
    dispatch_key: Optional[str],
    context_src: Optional[str],
    output_format: Optional[str],
    **options: Any,
) -> None:
    """Predict with an endpoint of a service (user API); prints the prediction.

    Features come as K=V words (the original tool's form), --feature K=V options or a JSON
    object (--input JSON|@FILE|-, or as a word). Values are typed: age=42 sends a number,
    ok=true a boolean, city=Paris text; quote JSON to force text: zip='"01234"'. With K=V
    words only and no -o, the answer prints as one line of JSON, as the original tool did.

    --batch FILE scores every row of a CSV (header row), JSON lines or JSON array file, or of
    stdin (-), through predict-multi in chunks, and prints one row per input row, in order:
    the input's columns, then generation, prediction, one proba_CLASS per class, status and
    reason. A row the node ignores or refuses is reported with its reason; the exit code is 1
    when any row failed. -o csv (the default off a terminal) and -o jsonl stream any size.

    \b
    Examples:
      apinode-admin predict churn score age=42 plan=pro        # the original's form
      apinode-admin predict churn score --input '{"age": 42}' --forced-generation v2
      apinode-admin predict churn score age=42 --explanations -o json
      apinode-admin predict churn score --batch customers.csv -o csv > scored.csv
      jq -c '.[]' records.json | apinode-admin predict churn score --batch - -o jsonl
    """
    context = load_object(context_src, "the context") if context_src else None
    explain = {k: options.pop(k) for k in list(options) if "explanation" in k}
    if batch is not None:
        if inputs or feature_opts or json_src:
            raise UsageError("give either --batch or the features of one record, not both")

        def send(client: Any, records: list[dict[str, Any]]) -> Any:
            return client.predict_records(
                endpoint, records, forced_generation, dispatch_key, **explain
            )

        batches.run(app, service_id, batch, "predict", send, output_format, options, context)
        return
    batches.refuse_single(output_format)
    words = list(inputs) + list(feature_opts)
    if not words and not json_src:
        raise UsageError("no features given", hint=NO_FEATURES)
    features = build_object(words, json_src, "features")
    legacy = not (
        feature_opts
        or json_src
        or context_src
        or app.output_requested
        or any(is_json_source(t) for t in inputs)
        or any(v is not None for v in explain.values())
    )

    def call(client: Any) -> Any:
        return client.predict_record(
            endpoint, features, forced_generation, dispatch_key, context=context, **explain
        )

    def show(answer: Any) -> Result:
        if legacy:
            from apinode_admin_cli.jsonutil import dump_answer

            return Line(dump_answer(answer, ensure_ascii=True), raw=answer)
        rows, columns = prediction_rows(answer, False)
        return Rows(rows, columns, raw=answer)

    run(app, user_op(service_id, call, show), admin=False)
