"""The application on ``ctx.obj``: a factory of what commands need, each built when first asked.

Flags, settings (the run's and each fleet node's), the terminal, clients and the run's secrets
with the redactor that hides them. It only builds: which nodes a command runs on is
``common/targets.py``, how outcomes look is ``common/render.py``, and what a failure prints is
``boundary.py``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Mapping, Optional

from apinode_admin_cli.cli.common.terminal import Terminal
from apinode_admin_cli.errors import ApinodeAdminError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.common.redactor import Redactor
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.config import Fleet, Settings

_UNSET = object()


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
        self._node_secrets: list[Optional[str]] = []
        self._node_settings: dict[str, dict[str, Settings]] = {}
        self._redactor: Optional[Redactor] = None
        self._warned_insecure = False
        self._warned: set[str] = set()
        self._log_handler: Optional[Any] = None
        # `config` commands report a missing --config file instead of failing on it.
        self._config_missing_ok = False
        self._saved_log_state: tuple[int, bool] = (0, True)

    # -- set-up -------------------------------------------------------------------------------

    def update_flags(self, given: Mapping[str, Any]) -> None:
        """Take global options, wherever on the line they were given (later ones win)."""
        changed = {n: v for n, v in given.items() if v is not None and v is not False}
        if not changed and self._early is not None:
            return  # nothing new: the switches computed before still hold
        self.flags.update(changed)
        self._settings = self._early = None
        env = os.environ if self.env is None else self.env
        if "-" in (self.flags.get("api_key_file"), env.get("APINODE_ADMIN_API_KEY_FILE")):
            # Known now, read later: a command reading `-` first would take the key's stdin.
            from apinode_admin_cli.inputs import claim_stdin

            claim_stdin(self.term.inp, "the API key (--api-key-file -)")
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

        from apinode_admin_cli.cli.common.redactor import printable

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
                self.flags, self.env, stdin=self.term.inp, missing_ok=self._config_missing_ok
            )
            for warning in self._settings.warnings:
                self.term.warn(warning)
        return self._settings

    def tolerate_missing_config(self) -> None:
        """For `config` commands: a missing --config file is reported, not an error."""
        self._config_missing_ok = True

    # -- targets -------------------------------------------------------------------------------

    @property
    def fleet(self) -> Optional[Fleet]:
        """The fleet this run fans out to, or None for a single node."""
        if self._fleet is _UNSET:
            from apinode_admin_cli.config import resolve_fleet

            self._fleet = resolve_fleet(self.flags, self.env)
        return self._fleet  # type: ignore[return-value]

    def node_settings(self, fleet: Fleet) -> dict[str, Settings]:
        """Every node's settings, resolved before any request: a config error stops them all.

        Each node's keys join the run's secrets, so that every report scrubs them.
        """
        if fleet.name in self._node_settings:
            return self._node_settings[fleet.name]
        from apinode_admin_cli.config import BY_NAME, env_value, resolve_nodes

        names = ("uri", "api_key", "api_key_file")
        ignored = [BY_NAME[n].env for n in names if env_value(n, self.env)]
        if ignored:
            self.term.warn(
                f"{', '.join(str(v) for v in ignored)} ignored with a fleet: each node uses the "
                "URI and key of its own profile"
            )
        # The run's own settings warn about the config file once; each node then adds only
        # what is its own (a key file of its profile, say), not the same warning per node.
        shown = set(self.settings.warnings)
        found = resolve_nodes(
            self.flags, self.env, fleet.profiles, f"fleet {fleet.name}", stdin=self.term.inp
        )
        for name, settings in found.items():
            self._node_secrets += [settings.api_key, settings.service_key]
            for warning in settings.warnings:
                if warning not in shown:
                    shown.add(warning)
                    self.term.warn(f"{name}: {warning}")
        self._node_settings[fleet.name] = found
        return found

    # -- clients ------------------------------------------------------------------------------

    def client(self) -> APINodeAdminClient:
        """The admin client of this run's node; exit 3 when URI or key is missing."""
        if self._client is None:
            self._client = self.admin_client_for(self.settings)
        return self._client

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient:
        """A user-API client of this run's node; needs the URI only (many services are public)."""
        return self.user_client_for(self.settings, service_id, service_key)

    def admin_client_for(
        self, settings: Settings, auth_hint: Optional[str] = None
    ) -> APINodeAdminClient:
        """An admin client for the node ``settings`` name (``auth_hint``: what a 401 says)."""
        from apinode_admin_cli.config import require_connection
        from apinode_admin_cli.config.connect import admin_client
        from apinode_admin_cli.config.keysource import key_hint

        uri, api_key = require_connection(settings)
        self.warn_if_insecure(settings)
        # A refused key's hint names where that key came from (a profile, a flag, a file).
        hint = auth_hint or key_hint(settings.sources, settings.values)
        return admin_client(settings.values, uri, api_key, auth_hint=hint)

    def user_client_for(
        self, settings: Settings, service_id: str, service_key: Optional[str]
    ) -> APINodeClient:
        """A user-API client for the node ``settings`` name."""
        from apinode_admin_cli.config import require_connection
        from apinode_admin_cli.config.connect import user_client

        uri = settings.uri or require_connection(settings)[0]
        self.warn_if_insecure(settings)
        return user_client(settings.values, uri, service_id, service_key)

    def warn_if_insecure(self, settings: Settings) -> None:
        """Announce a disabled certificate check once per run, even under --quiet."""
        if settings.no_check_certificate and not self._warned_insecure:
            self._warned_insecure = True
            self.term.say(
                "Warning: TLS certificate verification is disabled (--no-check-certificate)."
            )

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

    # -- secrets --------------------------------------------------------------------------------

    def secrets(self) -> list[Optional[str]]:
        """The keys this run knows of, to scrub from anything it reports."""
        found = [self.flags.get("api_key"), self.flags.get("service_key"), *self._node_secrets]
        found.append(self.flags.get("dss_api_key"))
        if self._settings is not None:
            found += [self._settings.api_key, self._settings.service_key]
            found.append(self._settings.dss_api_key)
        return found

    def remember_secret(self, *secrets: Optional[str]) -> None:
        """Keys met outside the run's settings (a node's profile read apart, a key just
        minted): every report scrubs them from now on."""
        self._node_secrets.extend(secrets)

    def warn_once(self, message: str) -> None:
        """A warning said once per run, however many times its cause comes up."""
        if message not in self._warned:
            self._warned.add(message)
            self.term.warn(message)

    @property
    def redactor(self) -> Redactor:
        """The run's one redactor: it scrubs the keys known when it is used, not when built."""
        if self._redactor is None:
            from apinode_admin_cli.cli.common.redactor import Redactor

            self._redactor = Redactor(self.secrets)
        return self._redactor


__all__ = ["App"]
