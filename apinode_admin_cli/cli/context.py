"""The application object on ``ctx.obj``: settings, client and output, all built lazily."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Optional, Sequence

import click

from apinode_admin_cli.errors import ApinodeAdminError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.config import Settings
    from apinode_admin_cli.output import Column

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def transport_options(settings: Settings) -> dict[str, Any]:
    """The client options that the settings give (TLS, timeout, retries), printing nothing."""
    cert: Any = None
    if settings.client_cert:
        key = settings.client_key
        cert = (settings.client_cert, key) if key else settings.client_cert
    return {
        "no_check_certificate": bool(settings.no_check_certificate),
        "client_certificate": cert,
        "ca_bundle": settings.ca_bundle,
        "timeout": settings.timeout,
        "retries": settings.retries,
    }


def root_flags(params: dict[str, Any]) -> dict[str, Any]:
    """The settings flags among the root group's parameters (``--config`` is ``config``)."""
    flags = dict(params)
    flags["config"] = flags.pop("config_path", None)
    return flags


class App:
    """Everything a command needs, resolved only when the command asks for it."""

    def __init__(self) -> None:
        self.flags: dict[str, Any] = {}
        self.verbose = False
        self.quiet = False
        self.color = True
        self.requested_output: Optional[str] = None
        self.no_headers = False
        self._settings: Optional[Settings] = None
        self._client: Optional[APINodeAdminClient] = None
        self._log_handler: Optional[Any] = None
        self._saved_log_state: tuple[int, bool] = (0, True)

    # -- set-up -------------------------------------------------------------------------------

    def configure(self, flags: dict[str, Any]) -> None:
        """Take the root group's global options."""
        flags = dict(flags)
        self.verbose = bool(flags.pop("verbose", False)) or _env_flag("APINODE_ADMIN_DEBUG")
        self.quiet = bool(flags.pop("quiet", False))
        no_color = bool(flags.pop("no_color", False)) or "NO_COLOR" in os.environ
        self.color = not no_color
        self.flags = root_flags(flags)
        if self.verbose:
            self._enable_http_log()

    def _enable_http_log(self) -> None:
        import logging

        logger = logging.getLogger("apinode_admin_cli.http")
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[http] %(message)s"))
        logger.addHandler(handler)
        self._saved_log_state = (logger.level, logger.propagate)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
        self._log_handler = handler

    def close(self) -> None:
        """Undo what this run changed in the process (tests run many commands in one)."""
        if self._log_handler is not None:
            import logging

            logger = logging.getLogger("apinode_admin_cli.http")
            logger.removeHandler(self._log_handler)
            logger.level, logger.propagate = self._saved_log_state
            self._log_handler = None
        if self._client is not None:
            self._client.close()
            self._client = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from apinode_admin_cli.config import resolve_settings

            self._settings = resolve_settings(self.flags)
            for warning in self._settings.warnings:
                self.warn(warning)
        return self._settings

    def client(self) -> APINodeAdminClient:
        """The admin client for the resolved node; exit 3 when URI or key is missing."""
        if self._client is None:
            from apinode_admin_cli.client import APINodeAdminClient
            from apinode_admin_cli.config import require_connection

            uri, api_key = require_connection(self.settings)
            self._client = APINodeAdminClient(uri, api_key, **self._transport_options())
        return self._client

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient:
        """A user-API client; needs the URI only (many services are public)."""
        from apinode_admin_cli.client import APINodeClient

        uri = self.settings.uri
        if not uri:
            from apinode_admin_cli.config import require_connection

            uri, _ = require_connection(self.settings)
        return APINodeClient(uri, service_id, service_key, **self._transport_options())

    def _transport_options(self) -> dict[str, Any]:
        s = self.settings
        if s.no_check_certificate:
            # A security downgrade is announced every time, even under --quiet.
            click.echo(
                "Warning: TLS certificate verification is disabled (--no-check-certificate).",
                err=True,
            )
        return transport_options(s)

    def node_is_local(self) -> bool:
        from urllib.parse import urlsplit

        host = urlsplit(self.settings.uri or "").hostname or ""
        return host in _LOOPBACK_HOSTS or host.startswith("127.")

    def node_path(self, path: str) -> str:
        """Absolute form of a path that the node reads on its own disk."""
        absolute = os.path.abspath(os.path.expanduser(path))
        if self.node_is_local():
            if not os.path.exists(absolute):
                raise UsageError(
                    f"{absolute} does not exist",
                    hint="the node is on this machine and reads the path from its own disk",
                )
        else:
            self.info(f"Note: the node reads {absolute} from its own disk, not from this machine.")
        return absolute

    # -- messages (stderr) --------------------------------------------------------------------

    def info(self, message: str) -> None:
        if not self.quiet:
            click.echo(message, err=True)

    def warn(self, message: str) -> None:
        if not self.quiet:
            click.echo(self._style(f"Warning: {message}", fg="yellow"), err=True)

    def _style(self, text: str, **styles: Any) -> str:
        if self.color and sys.stderr.isatty():
            return click.style(text, **styles)
        return text

    def confirm(self, action: str, yes: bool) -> None:
        """Ask on a terminal, else require --yes (exit 2)."""
        if yes:
            return
        if sys.stdin.isatty() and sys.stderr.isatty():
            if click.confirm(f"{action}?", default=False, err=True):
                return
            raise ApinodeAdminError("cancelled: nothing was changed")
        raise UsageError(
            f"refusing to {action.lower()} without confirmation: pass -y/--yes",
            hint="destructive commands ask on a terminal and otherwise need -y/--yes",
        )

    # -- output (stdout) ----------------------------------------------------------------------

    def set_output(self, requested: Optional[str], as_json: bool, no_headers: bool) -> None:
        self.requested_output = "json" if as_json else requested
        self.no_headers = no_headers

    @property
    def output_format(self) -> str:
        from apinode_admin_cli.output import choose_format

        requested = self.requested_output or os.environ.get("APINODE_ADMIN_OUTPUT") or None
        if requested is None:
            try:
                requested = self.settings.output
            except ApinodeAdminError:
                requested = None
        return choose_format(requested, sys.stdout.isatty())

    @property
    def wants_json(self) -> bool:
        try:
            return self.output_format == "json"
        except ApinodeAdminError:
            return self.requested_output == "json"

    def emit(self, records: Sequence[Any], columns: Sequence[Column], raw: Any = None) -> None:
        """Print records in the chosen format; ``raw`` is what JSON output shows."""
        fmt = self.output_format
        if fmt == "json":
            self.emit_json(records if raw is None else raw)
            return
        from apinode_admin_cli.output import render

        render(
            records,
            columns,
            fmt,
            stream=sys.stdout,
            no_headers=self.no_headers,
            # An explicit `-o table` piped to a file or a pager gets no colour either.
            color=self.color and fmt == "table" and sys.stdout.isatty(),
        )

    def emit_summary(self, data: Any) -> None:
        """Any JSON object as KEY/VALUE rows, nested keys flattened to dotted names."""
        from apinode_admin_cli.output import flat_records
        from apinode_admin_cli.output.columns import SUMMARY

        data = {} if data is None else data
        self.emit(flat_records(data), SUMMARY, raw=data)

    def emit_json(self, data: Any) -> None:
        from apinode_admin_cli.output import render_json

        render_json(data, sys.stdout)

    def emit_action(self, answer: Any, value: Optional[str] = None) -> None:
        """Result of an action: the server's JSON with -o json, else the value it produced."""
        if self.wants_json:
            self.emit_json(answer if answer is not None else {"ok": True})
        elif value is not None:
            click.echo(value)

    # -- the error boundary's voice -----------------------------------------------------------

    def _secrets(self) -> list[Optional[str]]:
        """The keys this run knows of, to scrub from anything it reports."""
        secrets = [self.flags.get("api_key")]
        if self._settings is not None:
            secrets.append(self._settings.api_key)
        return secrets

    def report_error(self, exc: ApinodeAdminError) -> None:
        import json
        import traceback

        from apinode_admin_cli.redact import scrub

        secrets = self._secrets()
        message = scrub(exc.message, secrets)
        click.echo(self._style(f"Error: {message}", fg="red"), err=True)
        if exc.hint:
            click.echo(f"Hint: {scrub(exc.hint, secrets)}", err=True)
        if self.wants_json:
            payload = exc.to_json()
            payload["error"]["message"] = message
            click.echo(json.dumps(payload, ensure_ascii=False), err=True)
        if self.verbose:
            click.echo(scrub(traceback.format_exc(), secrets), err=True, nl=False)

    def report_interrupt(self) -> None:
        click.echo("\nInterrupted.", err=True)

    def report_unexpected(self, exc: Exception) -> None:
        import traceback

        from apinode_admin_cli.redact import scrub

        secrets = self._secrets()
        text = scrub(f"{type(exc).__name__}: {exc}", secrets)
        click.echo(f"Error: unexpected failure: {text}", err=True)
        if self.verbose:
            click.echo(scrub(traceback.format_exc(), secrets), err=True, nl=False)
        else:
            click.echo("Hint: run again with -v for the full traceback", err=True)
