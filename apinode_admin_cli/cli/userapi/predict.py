"""``predict``: query a service's endpoint on the user API, one record or a batch.

Feature values given as ``K=V`` are typed: a value that parses as a JSON number, ``true``,
``false``, ``null`` or a quoted JSON string takes that type (``age=42`` sends 42,
``zip='"01234"'`` sends the text); anything else is sent as text (``city=Paris``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

import click

from apinode_admin_cli import jsonutil as strict_json
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.completers import generation_ids, service_ids
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import (
    option_for,
    output_options,
    pass_app,
    read_text_input,
)
from apinode_admin_cli.cli.common.results import Line, Result, Rows
from apinode_admin_cli.errors import ServerError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.output import Column

_SCALARS = (bool, int, float, str, type(None))


def typed_value(text: str) -> Any:
    """A JSON scalar when the text is one (NaN and Infinity excepted), else the text itself."""
    try:
        value = strict_json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, _SCALARS) else text


def parse_feature(token: str) -> tuple[str, Any]:
    """``age=42`` -> ``("age", 42)``; the name is everything before the first ``=``."""
    name, sep, raw = token.partition("=")
    if not sep or not name:
        raise UsageError(
            f"malformed feature {token!r}: expected KEY=VALUE",
            hint="e.g. --feature age=42 --feature city=Paris, or a JSON object of features",
        )
    return name, typed_value(raw)


def _is_json_source(token: str) -> bool:
    return token == "-" or token.startswith("@") or token.lstrip().startswith("{")


def _json_text(source: str) -> tuple[str, str]:
    """The JSON text of ``-`` (stdin), ``@FILE`` or a literal, and a name for messages."""
    if source == "-":
        return read_text_input("-"), "the JSON on stdin"
    if source.startswith("@"):
        return read_text_input(source[1:]), source[1:]
    return source, "the JSON argument"


def load_object(source: str, what: str) -> dict[str, Any]:
    """A JSON object from ``-``, ``@FILE`` or literal text; exit 2 otherwise."""
    text, name = _json_text(source)
    try:
        value = strict_json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{what} in {name} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UsageError(f'{what} in {name} must be a JSON object like {{"age": 42}}')
    return value


def build_features(inputs: Sequence[str], feature_opts: Sequence[str]) -> dict[str, Any]:
    """Features from one JSON source plus ``K=V`` words and options (which win)."""
    sources = [t for t in inputs if _is_json_source(t)]
    if len(sources) > 1:
        raise UsageError("give the features JSON once: as text, @FILE or - (stdin)")
    features = load_object(sources[0], "the features") if sources else {}
    for token in [t for t in inputs if not _is_json_source(t)] + list(feature_opts):
        name, value = parse_feature(token)
        features[name] = value
    return features


def _as_record(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise UsageError(f"{where} is not a JSON object of features")
    # A record already in the user API's shape passes as is; any other object is features.
    if isinstance(item.get("features"), dict) and set(item) <= {"features", "context"}:
        return dict(item)
    return {"features": item}


def load_batch(source: str) -> list[dict[str, Any]]:
    """Records from a JSON array or JSON lines of feature objects (or ``{"features": ...}``)."""
    text, name = _json_text(source if source == "-" else "@" + source)
    try:
        whole = strict_json.loads(text)
    except (strict_json.NotANumberError, strict_json.TooDeepError) as exc:  # one bad document
        raise UsageError(f"{name} is not valid JSON: {exc}") from None
    except ValueError:  # not one JSON document: JSON lines
        items = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                value = strict_json.loads(line)
            except ValueError as exc:
                raise UsageError(f"line {number} of {name} is not valid JSON: {exc}") from None
            items.append(_as_record(value, f"line {number} of {name}"))
    else:
        seq = whole if isinstance(whole, list) else [whole]
        items = [_as_record(item, f"record {i} of {name}") for i, item in enumerate(seq)]
    if not items:
        raise UsageError(f"{name} holds no records", hint="one JSON object of features per line")
    return items


def prediction_rows(answer: Any, batch: bool) -> tuple[list[dict[str, Any]], list[Column]]:
    """Rows and columns: GENERATION (when known), PREDICTION, then one P(class) per class."""
    from apinode_admin_cli.output import Column, get_path

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
        rows.append(row)
    columns = [Column("index", "#")] if batch else []
    if any(row["generation"] is not None for row in rows):
        columns.append(Column("generation", "GENERATION"))
    columns.append(Column("prediction", "PREDICTION"))
    columns += [Column(f"p{i}", f"P({cls})") for i, cls in enumerate(classes)]
    return rows, columns


@click.command("predict")
@click.argument("service_id", shell_complete=service_ids)
@click.argument("endpoint")
@click.argument("inputs", nargs=-1, metavar="[FEATURES_JSON|@FILE|-|K=V ...]")
@click.option("-f", "--feature", "feature_opts", multiple=True, metavar="K=V", help="A feature.")
@click.option("--batch", metavar="FILE|-", help="Predict many: JSON lines or a JSON array.")
@click.option(
    "--forced-generation",
    metavar="GEN",
    shell_complete=generation_ids,
    help="Query this generation.",
)
@click.option("--dispatch-key", metavar="KEY", help="Same key, same generation (sticky A/B).")
@click.option("--context", "context_src", metavar="JSON|@FILE", help="Context object to log.")
@option_for("service_key")
@output_options
@pass_app
def predict(
    app: App,
    service_id: str,
    endpoint: str,
    inputs: tuple[str, ...],
    feature_opts: tuple[str, ...],
    batch: Optional[str],
    forced_generation: Optional[str],
    dispatch_key: Optional[str],
    context_src: Optional[str],
    service_key: Optional[str],
) -> None:
    """Predict with an endpoint of a service (user API); prints the prediction.

    Features come as a JSON object (text, @FILE or - for stdin), as K=V words (the original
    tool's form) or --feature K=V options. Values are typed: age=42 sends a number, ok=true a
    boolean, city=Paris text; quote JSON to force text: zip='"01234"'. With K=V words only
    and no -o, the answer prints as one line of JSON, as the original tool printed it.

    \b
    Examples:
      apinode-admin predict churn score '{"age": 42, "plan": "pro"}'
      apinode-admin predict churn score --feature age=42 --forced-generation v2
      apinode-admin predict churn score age=42 plan=pro        # the original's form
      apinode-admin predict churn score --batch customers.jsonl -o tsv
      jq -c '.[]' records.json | apinode-admin predict churn score --batch - --dispatch-key u42
    """
    if forced_generation is not None and dispatch_key is not None:
        raise UsageError("give --forced-generation or --dispatch-key, not both")
    context = load_object(context_src, "the context") if context_src else None
    features: dict[str, Any] = {}
    records: list[dict[str, Any]] = []
    if batch is not None:
        if inputs or feature_opts:
            raise UsageError("give either --batch or the features of one record, not both")
        records = load_batch(batch)
        if context is not None:
            records = [r if "context" in r else dict(r, context=context) for r in records]
    else:
        if not inputs and not feature_opts:
            raise UsageError(
                "no features given",
                hint="give them as K=V words (age=42 plan=pro), --feature K=V, a JSON object "
                "('{\"age\": 42}'), @FILE or - (stdin); or many records with --batch FILE",
            )
        features = build_features(inputs, feature_opts)
    legacy = not (
        feature_opts
        or batch
        or context_src
        or app.output_requested
        or any(_is_json_source(t) for t in inputs)
    )
    app.update_flags({"service_key": service_key})

    def op(node: Node) -> Result:
        try:
            with node.user_client(service_id, node.settings.service_key) as client:
                if batch is not None:
                    answer = client.predict_records(
                        endpoint, records, forced_generation, dispatch_key
                    )
                else:
                    answer = client.predict_record(
                        endpoint, features, forced_generation, dispatch_key, context=context
                    )
        except ServerError as exc:
            if exc.status == 503:
                # A node refuses queries this way when the service cannot answer, not when
                # it broke.
                from shlex import quote

                exc.hint = (
                    f"the service may be disabled or have no active generation: try "
                    f"`apinode-admin services enable {quote(service_id)}` or "
                    f"`apinode-admin services switch-to-newest {quote(service_id)}`"
                )
            raise
        if legacy:
            from apinode_admin_cli.jsonutil import dump_answer

            return Line(dump_answer(answer, ensure_ascii=True), raw=answer)
        rows, columns = prediction_rows(answer, batch is not None)
        return Rows(rows, columns, raw=answer)

    app.run(op, admin=False)
