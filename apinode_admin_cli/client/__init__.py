"""The library: drop-in replacements for dataikuapi's API node clients.

Importing this package does not import ``requests``; the first client built does.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from apinode_admin_cli.errors import (
    APIError,
    ApinodeAdminError,
    AuthenticationError,
    ConfigError,
    ConflictError,
    ConnectionFailure,
    DataikuException,
    InvalidResponseError,
    NotAnAPINodeError,
    NotFoundError,
    ServerError,
    TimeoutFailure,
    TLSFailure,
    UsageError,
)

if TYPE_CHECKING:
    from apinode_admin_cli.client.admin import APINodeAdminClient, PingResult
    from apinode_admin_cli.client.auth import APINodeAuth
    from apinode_admin_cli.client.result import LostAnswer
    from apinode_admin_cli.client.service import APINodeService
    from apinode_admin_cli.client.user_api import APINodeClient

# The clients load when first asked for: the CLI imports only the one it uses.
_HOMES = {
    "APINodeAdminClient": "admin",
    "PingResult": "admin",
    "APINodeAuth": "auth",
    "LostAnswer": "result",
    "APINodeService": "service",
    "APINodeClient": "user_api",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)


__all__ = [
    "APIError",
    "APINodeAdminClient",
    "APINodeAuth",
    "APINodeClient",
    "APINodeService",
    "ApinodeAdminError",
    "AuthenticationError",
    "ConfigError",
    "ConflictError",
    "ConnectionFailure",
    "DataikuException",
    "InvalidResponseError",
    "LostAnswer",
    "NotAnAPINodeError",
    "NotFoundError",
    "PingResult",
    "ServerError",
    "TLSFailure",
    "TimeoutFailure",
    "UsageError",
]
