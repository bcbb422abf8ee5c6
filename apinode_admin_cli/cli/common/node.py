"""One node as an operation sees it: its client, the rules for paths it reads, its messages."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Optional

from apinode_admin_cli.errors import UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.config import Settings

_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}


class Node:
    """One node as an operation sees it: its client, its path rules and its messages.

    This one is the node of a single-node run; a fleet gives each of its nodes a subclass
    with its own settings and client (``cli/common/targets.py``).
    """

    # Shown in progress lines and -v logs; None for a single node.
    name: Optional[str] = None

    def __init__(self, app: App) -> None:
        self.app = app

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def uri(self) -> str:
        return str(self.settings.uri or "")

    @property
    def client(self) -> APINodeAdminClient:
        return self.app.client()

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient:
        return self.app.user_client(service_id, service_key)

    def info(self, message: str) -> None:
        self.app.term.info(message)

    def warn(self, message: str) -> None:
        self.app.term.warn(message)

    def is_local(self) -> bool:
        from urllib.parse import urlsplit

        host = urlsplit(self.uri).hostname or ""
        return host in _LOOPBACK_HOSTS or host.startswith("127.")

    def node_path(self, path: str) -> str:
        """The path to send for a file the node reads on its own disk.

        On this machine's node: ``~`` expanded, made absolute, and it must exist. On another
        machine's node: it must be absolute already (the node has its own home and working
        directory) and is sent as given.
        """
        if not self.uri:
            # No node named: neither rule applies, and the missing URI is the error (exit 3).
            from apinode_admin_cli.config import require_connection

            require_connection(self.settings)
        if self.is_local():
            absolute = os.path.abspath(os.path.expanduser(path))
            if not os.path.exists(absolute):
                raise UsageError(
                    f"{absolute} does not exist",
                    hint="the node is on this machine and reads the path from its own disk",
                )
            return absolute
        import posixpath

        rule = (
            "paths sent to a node on another machine must be absolute paths on that node's "
            "disk, e.g. /srv/packages/churn-v2.zip"
        )
        if path.startswith("~"):
            raise UsageError(
                f"{path!r} starts with ~, which this machine cannot expand for the node",
                hint=rule,
            )
        if not posixpath.isabs(path):
            raise UsageError(f"{path!r} is a relative path", hint=rule)
        self.remind(self.remote_path_note(path))
        return path

    def remote_path_note(self, path: str) -> str:
        """What to remind the user of when ``path`` is sent to a node on another machine."""
        return f"Note: the node reads {path} from its own disk, not from this machine."

    def remind(self, message: str) -> None:
        """A reminder about the command itself (a fleet says it once, for every node)."""
        self.info(message)


__all__ = ["Node"]
