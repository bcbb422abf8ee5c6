"""The library: drop-in replacements for dataikuapi's API node clients.

Importing this package does not import ``requests``; the first client built does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from apinode_admin_cli.lazy import lazy_exports

if TYPE_CHECKING:
    from apinode_admin_cli.client.admin import APINodeAdminClient, PingResult
    from apinode_admin_cli.client.auth import APINodeAuth
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient
    from apinode_admin_cli.client.result import LostAnswer
    from apinode_admin_cli.client.service import APINodeService
    from apinode_admin_cli.client.user_api import APINodeClient

# The clients load when first asked for: the CLI imports only the one it uses.
_HOMES = {
    "APINodeAdminClient": "admin",
    "PingResult": "admin",
    "APINodeAuth": "auth",
    "DSSDeployerClient": "deployer.client",
    "LostAnswer": "result",
    "APINodeService": "service",
    "APINodeClient": "user_api",
}


__getattr__ = lazy_exports(__name__, _HOMES)

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
    "DSSDeployerClient",
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
