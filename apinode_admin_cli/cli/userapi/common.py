"""Shared by the user-API commands: typed input, call options, and the call on the node.

Values given as ``K=V`` are typed: a value that parses as a JSON number, ``true``, ``false``,
``null`` or a quoted JSON string takes that type (``age=42`` sends 42, ``zip='"01234"'`` sends
the text); anything else is sent as text (``city=Paris``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, TypeVar

import click

from apinode_admin_cli import jsonutil as strict_json
from apinode_admin_cli.cli.common.completers import generation_ids
from apinode_admin_cli.cli.common.options import option_for, read_text_input
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.errors import ServerError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.cli.common.node import Node
    from apinode_admin_cli.cli.common.results import Result
    from apinode_admin_cli.client import APINodeClient

F = TypeVar("F", bound=Callable[..., Any])
_SCALARS = (bool, int, float, str, type(None))


def typed_value(text: str) -> Any:
    """A JSON scalar when the text is one (NaN and Infinity excepted), else the text itself."""
    try:
        value = strict_json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, _SCALARS) else text


def parse_pair(token: str, what: str = "feature") -> tuple[str, Any]:
    """``age=42`` -> ``("age", 42)``; the name is everything before the first ``=``."""
    name, sep, raw = token.partition("=")
    if not sep or not name:
        raise UsageError(
            f"malformed {what} {token!r}: expected KEY=VALUE",
            hint="e.g. age=42 city=Paris, or a JSON object with --input",
        )
    return name, typed_value(raw)


def is_json_source(token: str, arrays: bool = False) -> bool:
    """Whether a word is JSON input (``-``, ``@FILE``, an object, or an array if ``arrays``)."""
    starts = ("{", "[") if arrays else ("{",)
    return token == "-" or token.startswith("@") or token.lstrip().startswith(starts)


def json_text(source: str) -> tuple[str, str]:
    """The JSON text of ``-`` (stdin), ``@FILE`` or a literal, and a name for messages."""
    if source == "-":
        return read_text_input("-"), "the JSON on stdin"
    if source.startswith("@"):
        return read_text_input(source[1:]), source[1:]
    return source, "the JSON argument"


def load_json(source: str, what: str) -> Any:
    """Any JSON value from ``-``, ``@FILE`` or literal text; exit 2 otherwise."""
    text, name = json_text(source)
    try:
        return strict_json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{what} in {name} is not valid JSON: {exc}") from None


def load_object(source: str, what: str) -> dict[str, Any]:
    """A JSON object from ``-``, ``@FILE`` or literal text; exit 2 otherwise."""
    value = load_json(source, what)
    if not isinstance(value, dict):
        raise UsageError(f'{what} must be a JSON object like {{"age": 42}}')
    return value


def build_object(
    words: Sequence[str], json_src: Optional[str], what: str, required: bool = True
) -> dict[str, Any]:
    """An object from ``--input`` (or one JSON word) plus ``K=V`` words, which win."""
    sources = [w for w in words if is_json_source(w)] + ([json_src] if json_src else [])
    if len(sources) > 1:
        raise UsageError(f"give the {what} JSON once: as --input JSON, @FILE or - (stdin)")
    value = load_object(sources[0], f"the {what}") if sources else {}
    for word in words:
        if not is_json_source(word):
            name, typed = parse_pair(word, what.rstrip("s"))
            value[name] = typed
    if required and not sources and not words:
        raise UsageError(
            f"no {what} given",
            hint="give them as K=V words (age=42 plan=pro) or --input JSON|@FILE|-",
        )
    return value


def input_options(func: F) -> F:
    """``--input JSON|@FILE|-``: the input as one JSON object (K=V words add to it).

    Not ``--json``: that is the tool-wide "same as -o json" of every command.
    """
    return click.option(
        "--input",
        "json_src",
        metavar="JSON|@FILE|-",
        help="The input as a JSON object: text, @FILE, or - for stdin.",
    )(func)


def dispatch_options(func: F) -> F:
    """``--forced-generation`` and ``--dispatch-key``, one at most."""

    @click.option(
        "--forced-generation",
        metavar="GEN",
        shell_complete=generation_ids,
        help="Query this generation.",
    )
    @click.option("--dispatch-key", metavar="KEY", help="Same key, same generation (sticky A/B).")
    @functools.wraps(func)
    def wrapper(*args: Any, **kw: Any) -> Any:
        if kw.get("forced_generation") is not None and kw.get("dispatch_key") is not None:
            raise UsageError("give --forced-generation or --dispatch-key, not both")
        return func(*args, **kw)

    return wrapper  # type: ignore[return-value]


def auth_options(func: F) -> F:
    """The service key and bearer token settings, handed to the app as flags."""

    @option_for("service_key")
    @option_for("bearer_token")
    @functools.wraps(func)
    def wrapper(*args: Any, service_key: Optional[str], bearer_token: Optional[str], **kw: Any):  # type: ignore[no-untyped-def]
        from apinode_admin_cli.cli.app import App

        app = click.get_current_context().ensure_object(App)
        app.update_flags({"service_key": service_key, "bearer_token": bearer_token})
        return func(*args, **kw)

    return wrapper  # type: ignore[return-value]


def explanation_options(func: F) -> F:
    """Explanations: on, off or the endpoint's default; method; count; Monte Carlo steps."""

    @click.option(
        "--explanations/--no-explanations",
        "with_explanations",
        default=None,
        help="Ask for explanations, or not (default: the endpoint's setting).",
    )
    @click.option(
        "--explanation-method",
        # Lower case: click before and after 8.2 then show the same choices (sent upper).
        type=click.Choice(["shapley", "ice"], case_sensitive=False),
        help="How explanations are computed.",
    )
    @click.option(
        "--explanations-count",
        "n_explanations",
        type=click.IntRange(0, 1000),
        metavar="N",
        help="How many features to explain.",
    )
    @click.option(
        "--monte-carlo-steps",
        "n_explanations_mc_steps",
        type=click.IntRange(25, 1000),
        metavar="N",
        help="Monte Carlo steps of SHAPLEY explanations (25 to 1000).",
    )
    @functools.wraps(func)
    def wrapper(*args: Any, **kw: Any) -> Any:
        method = kw.get("explanation_method")
        kw["explanation_method"] = method.upper() if method else None
        return func(*args, **kw)

    return wrapper  # type: ignore[return-value]


def context_option(func: F) -> F:
    return click.option(
        "--context", "context_src", metavar="JSON|@FILE", help="Context object to log."
    )(func)


def user_op(
    service_id: str, call: Callable[[APINodeClient], Any], show: Callable[[Any], Result]
) -> Callable[[Node], Result]:
    """The node operation: ``call`` on the service's client, the answer shown by ``show``."""

    def op(node: Node) -> Result:
        settings = node.settings
        try:
            with node.user_client(service_id, settings.service_key) as client:
                answer = call(client)
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
        return show(answer)

    return op


def run_user_op(app: App, op: Callable[[Node], Result]) -> None:
    run(app, op, admin=False)
