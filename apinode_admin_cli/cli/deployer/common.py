"""What every `deployer` command shares: the DSS client, checks of input, output, completion."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import click

from apinode_admin_cli.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.client.deployer.apideployer import DSSAPIDeployer
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient
    from apinode_admin_cli.output import Column

# Long enough for DSS on the LAN, short enough that a Tab press never feels stuck.
COMPLETION_TIMEOUT = 2.0


def _require(app: App) -> tuple[str, str]:
    """DSS's URI and key, or ConfigError (exit 3) naming every way to give them."""
    from apinode_admin_cli.config.files import display_path
    from apinode_admin_cli.config.schema import BY_NAME

    settings = app.settings
    where = f"profile {settings.profile!r} of {display_path(settings.config_path)}"
    hint = "`apinode-admin config show` tells where each setting comes from"
    uri, key, key_file = BY_NAME["dss_uri"], BY_NAME["dss_api_key"], BY_NAME["dss_api_key_file"]
    if not settings.dss_uri:
        raise ConfigError(
            f"no DSS URI for the API Deployer: pass {uri.option}, set {uri.env}, "
            f"or set `dss_uri` in {where}",
            hint=hint,
        )
    if not settings.dss_api_key:
        raise ConfigError(
            f"no DSS API key: pass {key_file.option} or {key.option}, set {key_file.env} "
            f"or {key.env}, or set `dss_api_key_file` or `dss_api_key` in {where}",
            hint=hint,
        )
    return settings.dss_uri, settings.dss_api_key


def make_client(values: Any, uri: str, key: str, **overrides: Any) -> DSSDeployerClient:
    """A deployer client with the transport the settings give (TLS, timeout, retries)."""
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient
    from apinode_admin_cli.config.connect import transport_options

    return DSSDeployerClient(uri, key, **{**transport_options(values), **overrides})


@contextmanager
def deployer(app: App) -> Iterator[DSSAPIDeployer]:
    """The API Deployer of the configured DSS, its connections closed afterwards."""
    uri, key = _require(app)
    if app.settings.no_check_certificate:
        # A security downgrade is announced every time, even under --quiet.
        app.term.say("Warning: TLS certificate verification is disabled (--no-check-certificate).")
    client = make_client(app.settings.values, uri, key)
    try:
        yield client.get_apideployer()
    finally:
        client.close()


def confirm(app: App, action: str, yes: bool) -> None:
    """Ask on a terminal, else require --yes (exit 2); a fleet setting plays no part here."""
    from apinode_admin_cli.errors import ApinodeAdminError

    if yes:
        return
    if app.term.can_prompt():
        if app.term.confirm(f"{action}?"):
            return
        raise ApinodeAdminError("cancelled: nothing was changed")
    raise UsageError(
        f"refusing to {action[0].lower() + action[1:]} without confirmation: pass -y/--yes",
        hint="destructive commands ask on a terminal and otherwise need -y/--yes",
    )


def check_id(value: str, what: str) -> str:
    """An id given on the command line; exit 2 before anything is sent when it names nothing."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or text in (".", "..") or text != value:
        raise UsageError(f"invalid {what}: {value!r}", hint=f"give the {what} as `list` shows it")
    return value


def show_rows(app: App, records: Sequence[Any], columns: Sequence[Column], raw: Any) -> None:
    """Records under columns; JSON shows ``raw``, the deployer's answer, secrets hidden."""
    from apinode_admin_cli.output.deployer import hide_deployer_secrets

    fmt = app.output_format
    if fmt == "json":
        app.term.emit_json(hide_deployer_secrets(raw))
    else:
        app.term.emit(fmt, records, columns, raw)


def show_summary(app: App, data: dict[str, Any], raw: Any) -> None:
    """An object as KEY/VALUE rows (nested keys dotted); JSON shows ``raw``, secrets hidden."""
    from apinode_admin_cli.output import flat_records
    from apinode_admin_cli.output.columns import SUMMARY
    from apinode_admin_cli.output.deployer import hide_deployer_secrets

    fmt = app.output_format
    if fmt == "json":
        app.term.emit_json(hide_deployer_secrets(raw))
    else:
        app.term.emit(fmt, flat_records(hide_deployer_secrets(data)), SUMMARY, raw)


def done(app: App, message: str, answer: Any) -> None:
    """A change made: the message on stderr; with JSON output, the answer on stdout."""
    from apinode_admin_cli.output.deployer import hide_deployer_secrets

    app.term.info(message)
    if app.wants_json:
        app.term.emit_json(hide_deployer_secrets(answer))


# Completion: live ids from the DSS configured on the line, quietly nothing on any failure.


def _offer(
    ctx: click.Context, incomplete: str, fetch: Callable[[DSSAPIDeployer], list[Any]]
) -> list[Any]:
    from click.shell_completion import CompletionItem

    from apinode_admin_cli.cli.common.completers import _bash_wants_quoted, _line_flags

    try:
        import io

        from apinode_admin_cli.config import env_value, resolve_settings

        flags = _line_flags(ctx)
        if flags.get("dss_api_key_file") == "-" or env_value("dss_api_key_file") == "-":
            return []  # stdin belongs to the shell during completion
        settings = resolve_settings(flags, stdin=io.StringIO(""))
        if not settings.dss_uri or not settings.dss_api_key:
            return []
        client = make_client(
            settings.values,
            settings.dss_uri,
            settings.dss_api_key,
            timeout=COMPLETION_TIMEOUT,
            connect_timeout=COMPLETION_TIMEOUT,
            deadline=time.monotonic() + COMPLETION_TIMEOUT,
            retries=1,
        )
        try:
            values = fetch(client.get_apideployer())
        finally:
            client.close()
    except Exception:  # any failure means "no suggestions", never noise in the prompt
        return []
    offered = sorted({str(v) for v in values if v is not None and str(v).startswith(incomplete)})
    if _bash_wants_quoted():
        import shlex

        return [CompletionItem(shlex.quote(text)) for text in offered]
    return [CompletionItem(text) for text in offered]


def _basic_ids(items: list[Any], field: str) -> list[Any]:
    return [(i.get(field) or {}).get("id") for i in items if isinstance(i, dict)]


def service_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Ids of the deployer's published services."""
    return _offer(
        ctx, incomplete, lambda d: _basic_ids(d.list_services(as_objects=False), "serviceBasicInfo")
    )


def infra_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Ids of the deployer's infrastructures."""
    return _offer(
        ctx, incomplete, lambda d: _basic_ids(d.list_infras(as_objects=False), "infraBasicInfo")
    )


def deployment_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Ids of the deployer's deployments."""
    return _offer(
        ctx,
        incomplete,
        lambda d: _basic_ids(d.list_deployments(as_objects=False), "deploymentBasicInfo"),
    )


def wait_timeout_option(func: Any) -> Any:
    return click.option(
        "--wait-timeout",
        type=click.FloatRange(min=0, min_open=True, max=86400),
        default=600.0,
        show_default=True,
        metavar="SECONDS",
        help="How long to wait for the update job; past it the job goes on and the exit is 7.",
    )(func)


__all__ = [
    "check_id",
    "confirm",
    "deployer",
    "deployment_ids",
    "done",
    "infra_ids",
    "make_client",
    "service_ids",
    "show_rows",
    "show_summary",
    "wait_timeout_option",
]
