"""The application on ``ctx.obj``: settings and clients, built lazily, and the node operations.

Presentation lives in :class:`~apinode_admin_cli.cli.common.terminal.Terminal`; the app decides
what to show and hands it over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional

from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.errors import ApinodeAdminError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.common.node import Node
    from apinode_admin_cli.cli.common.results import Result
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.config import Fleet, Settings

_UNSET = object()
_FLEET_AUTH_HINT = (
    "check `api_key` or `api_key_file` in the node's profile "
    "(`apinode-admin --profile NODE config show`); service keys are not admin keys"
)


class App:
    """Everything a command needs, resolved only when the command asks for it."""

    def __init__(
        self, terminal: Optional[Terminal] = None, env: Optional[Mapping[str, str]] = None
    ) -> None:
        self.term = terminal or Terminal()
        # None: the process environment, read by the resolver only.
        self.env = env
        self.flags: dict[str, Any] = {}
        self._settings: Optional[Settings] = None
        self._early: Optional[Settings] = None
        self._client: Optional[APINodeAdminClient] = None
        self._fleet: object = _UNSET
        # Every node's keys, once a fleet has resolved them: scrubbed from whatever is shown.
        self.fleet_secrets: list[Optional[str]] = []
        self._log_handler: Optional[Any] = None
        # `config` commands report a missing --config file instead of failing on it.
        self.config_missing_ok = False
        self._saved_log_state: tuple[int, bool] = (0, True)

    # -- set-up -------------------------------------------------------------------------------

    def update_flags(self, given: Mapping[str, Any]) -> None:
        """Take global options, wherever on the line they were given (later ones win)."""
        changed = {n: v for n, v in given.items() if v is not None and v is not False}
        if not changed and self._early is not None:
            return  # nothing new: the switches computed before still hold
        self.flags.update(changed)
        self._settings = self._early = None
        early = self.early
        self.term.quiet = bool(early.quiet)
        self.term.color = not early.no_color
        if early.verbose and self._log_handler is None:
            self._enable_http_log()

    def set_output(self, requested: Optional[str], as_json: bool, no_headers: bool) -> None:
        """Take a command's output options."""
        self.update_flags({"output": "json" if as_json else requested})
        self.term.no_headers = self.term.no_headers or no_headers

    def _enable_http_log(self) -> None:
        import logging

        from apinode_admin_cli.cli.common.terminal import printable

        class Printable(logging.Formatter):
            # A log line quotes the node's reason phrase: it must not drive the terminal.
            def format(self, record: logging.LogRecord) -> str:
                return printable(super().format(record))

        logger = logging.getLogger("apinode_admin_cli.http")
        from apinode_admin_cli.cli.common.nodelog import name_the_node

        handler = logging.StreamHandler(self.term.err)
        handler.addFilter(name_the_node)
        handler.setFormatter(Printable("[http] %(node)s%(message)s"))
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
    def early(self) -> Settings:
        """Settings that need no config file: known even when the file is broken."""
        if self._early is None:
            from apinode_admin_cli.config import resolve_early

            self._early = resolve_early(self.flags, self.env)
        return self._early

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from apinode_admin_cli.config import resolve_settings

            self._settings = resolve_settings(
                self.flags, self.env, stdin=self.term.inp, missing_ok=self.config_missing_ok
            )
            for warning in self._settings.warnings:
                self.term.warn(warning)
        return self._settings

    # -- clients ------------------------------------------------------------------------------

    def client(self) -> APINodeAdminClient:
        """The admin client for the resolved node; exit 3 when URI or key is missing."""
        if self._client is None:
            self.node()  # a fleet is refused here: this client is one node's
            from apinode_admin_cli.config import require_connection
            from apinode_admin_cli.config.connect import admin_client

            uri, api_key = require_connection(self.settings)
            self._warn_if_insecure()
            self._client = admin_client(self.settings.values, uri, api_key)
        return self._client

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient:
        """A user-API client; needs the URI only (many services are public)."""
        from apinode_admin_cli.config.connect import user_client

        uri = self.settings.uri
        if not uri:
            from apinode_admin_cli.config import require_connection

            uri, _ = require_connection(self.settings)
        self._warn_if_insecure()
        return user_client(self.settings.values, uri, service_id, service_key)

    def _warn_if_insecure(self) -> None:
        if self.settings.no_check_certificate:
            # A security downgrade is announced every time, even under --quiet.
            self.term.say(
                "Warning: TLS certificate verification is disabled (--no-check-certificate)."
            )

    # -- running an operation on the node -----------------------------------------------------

    @property
    def fleet(self) -> Optional[Fleet]:
        """The fleet this run fans out to, or None for a single node."""
        if self._fleet is _UNSET:
            from apinode_admin_cli.config import resolve_fleet

            self._fleet = resolve_fleet(self.flags, self.env)
        return self._fleet  # type: ignore[return-value]

    def node(self) -> Node:
        """The one node of a single-node run; a usage error with a fleet."""
        if self.fleet is not None:
            nodes = f"fleet {self.fleet.name}: {', '.join(self.fleet.profiles)}"
            if self.flags.get("fleet") is None:
                # The fleet came from the environment: say so, or "--fleet" reads as a lie.
                from apinode_admin_cli.config.schema import setting

                env = setting("fleet").env
                raise UsageError(
                    f"this command runs on one node, and {env} names a fleet",
                    hint=f"pick one node with --profile, or unset {env} ({nodes})",
                )
            raise UsageError(
                "this command runs on one node: it does not take --fleet",
                hint=f"pick one node with --profile ({nodes})",
            )
        from apinode_admin_cli.cli.common.node import Node

        return Node(self)

    def run(
        self,
        operation: Callable[[Node], Result],
        admin: bool = True,
        parallel: Optional[int] = None,
    ) -> None:
        """Run one node operation (on every node of the fleet, if any) and show the result.

        ``admin``: the operation uses the admin API (False: the user API, URI only).
        ``parallel``: nodes of a fleet at once, whatever --parallel says (1: node by node).
        """
        if self.fleet is not None:
            from apinode_admin_cli.cli.common.targets import run_on_fleet

            run_on_fleet(self, self.fleet, operation, admin, parallel)
            return
        self.show(operation(self.node()))

    def confirm(self, action: str, yes: bool) -> None:
        """Ask on a terminal, else require --yes (exit 2)."""
        if yes:
            return
        if self.fleet is not None:
            action = (
                f"{action} on {len(self.fleet.profiles)} nodes ({', '.join(self.fleet.profiles)})"
            )
        if self.term.can_prompt():
            if self.term.confirm(f"{action}?"):
                return
            raise ApinodeAdminError("cancelled: nothing was changed")
        raise UsageError(
            f"refusing to {action.lower()} without confirmation: pass -y/--yes",
            hint="destructive commands ask on a terminal and otherwise need -y/--yes",
        )

    def info(self, message: str) -> None:
        self.term.info(message)

    # -- output -------------------------------------------------------------------------------

    @property
    def output_format(self) -> str:
        return self.term.choose_format(self.settings.output)

    @property
    def output_requested(self) -> bool:
        """Whether this command line asked for a format itself (``-o``/``--json``)."""
        return self.flags.get("output") is not None

    @property
    def wants_json(self) -> bool:
        try:
            return self.output_format == "json"
        except ApinodeAdminError:
            return bool(self.early.output == "json")

    def show(self, result: Result) -> None:
        """Render what an operation returned, in the chosen format."""
        from apinode_admin_cli.cli.common.results import (
            Action,
            Line,
            Rows,
            Sections,
            Summary,
            result_json,
        )

        if result is None:
            return
        if isinstance(result, Line):
            self.term.echo(result.text)  # the original tool's form, whatever the format
            return
        fmt = self.output_format if not isinstance(result, Action) else None
        if fmt == "json" or (fmt is None and self.wants_json):
            self.term.emit_json(result_json(result))
        elif isinstance(result, Rows):
            self.term.emit(self.output_format, result.records, result.columns, result.raw)
        elif isinstance(result, Summary):
            from apinode_admin_cli.output import flat_records
            from apinode_admin_cli.output.columns import SUMMARY

            data = result_json(result)
            self.term.emit(self.output_format, flat_records(data), SUMMARY, data)
        elif isinstance(result, Action) and result.value is not None:
            self.term.echo(result.value)
        elif isinstance(result, Sections):
            for index, part in enumerate(result.parts):
                if index:
                    self.term.echo("")
                self.show(part)

    def emit_json(self, data: Any) -> None:
        self.term.emit_json(data)

    # -- the error boundary's voice -----------------------------------------------------------

    def secrets(self) -> list[Optional[str]]:
        """The keys this run knows of, to scrub from anything it reports."""
        found = [self.flags.get("api_key"), self.flags.get("service_key"), *self.fleet_secrets]
        found.append(self.flags.get("dss_api_key"))
        if self._settings is not None:
            found += [self._settings.api_key, self._settings.service_key]
            found.append(self._settings.dss_api_key)
        return found

    def _scrubber(self) -> Callable[[str], str]:
        from apinode_admin_cli.redact import scrub

        secrets = self.secrets()
        return lambda text: scrub(text, secrets)

    def _traceback(self) -> Optional[str]:
        if not self.early.verbose:
            return None
        import traceback

        return self._scrubber()(traceback.format_exc())

    def report_error(self, exc: ApinodeAdminError) -> None:
        if exc.hint and self._fleet not in (_UNSET, None):
            from apinode_admin_cli.client.errormap import ADMIN_AUTH_HINT

            # A fleet refuses --api-key* and ignores the key variables: each node's key comes
            # from its own profile, so that is where to look.
            exc.hint = exc.hint.replace(ADMIN_AUTH_HINT, _FLEET_AUTH_HINT)
        self.term.report_error(exc, self._scrubber(), self.wants_json, self._traceback())

    def report_interrupt(self, text: str = "Interrupted.") -> None:
        self.term.report_interrupt(text)

    def report_unexpected(self, exc: Exception) -> None:
        text = self._scrubber()(f"{type(exc).__name__}: {exc}")
        self.term.report_unexpected(text, self._traceback())


__all__ = ["App"]
