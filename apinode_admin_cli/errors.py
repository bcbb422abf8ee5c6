"""One exception tree for the library and the CLI; each class knows its exit code.

The exit codes are the contract of ``shared/spec/cli.md``:

====  ==========================================================
0     success
1     any other failure (``ApinodeAdminError``, ``APIError``)
2     usage (``UsageError``)
3     configuration (``ConfigError``)
4     authentication refused (``AuthenticationError``)
5     not found (``NotFoundError``)
6     conflict (``ConflictError``)
7     unreachable, TLS, timeout, 5xx after retries (``ConnectionFailure``, ``ServerError``)
130   interrupted
====  ==========================================================
"""

from __future__ import annotations

from typing import Any, Optional


class ApinodeAdminError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def to_json(self) -> dict[str, Any]:
        """The ``{"error": {...}}`` object printed on stderr with ``-o json``."""
        kind = type(self).__name__
        return {"error": {"status": None, "errorType": kind, "message": self.message}}


class UsageError(ApinodeAdminError):
    """Bad arguments, unreadable or invalid input, missing --yes."""

    exit_code = 2


class ConfigError(ApinodeAdminError):
    """No URI or key, unreadable or invalid config file."""

    exit_code = 3


class ConnectionFailure(ApinodeAdminError):
    """The node could not be reached: refused, DNS, TLS, timeout, dropped connection."""

    exit_code = 7


class TLSFailure(ConnectionFailure):
    """The TLS handshake failed (certificate verification, client certificate)."""


class TimeoutFailure(ConnectionFailure):
    """The node did not answer within the timeout."""


class InvalidResponseError(ApinodeAdminError):
    """The node answered 2xx with a body that is not the JSON expected."""

    exit_code = 1


class APIError(ApinodeAdminError):
    """The node answered an HTTP error; keeps what the node said about it."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        error_type: Optional[str] = None,
        detailed_message: Optional[str] = None,
        hint: Optional[str] = None,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.error_type = error_type
        self.detailed_message = detailed_message

    def to_json(self) -> dict[str, Any]:
        return {
            "error": {
                "status": self.status,
                "errorType": self.error_type,
                "message": self.message,
            }
        }


class AuthenticationError(APIError):
    """401/403: the key was refused."""

    exit_code = 4


class NotFoundError(APIError):
    """404, or the node's own "not found" error."""

    exit_code = 5


class ConflictError(APIError):
    """409: the thing already exists."""

    exit_code = 6


class ServerError(APIError):
    """5xx still failing after the retries."""

    exit_code = 7


# Code written against dataikuapi catches DataikuException; keep that name working.
DataikuException = APIError

__all__ = [
    "APIError",
    "ApinodeAdminError",
    "AuthenticationError",
    "ConfigError",
    "ConflictError",
    "ConnectionFailure",
    "DataikuException",
    "InvalidResponseError",
    "NotFoundError",
    "ServerError",
    "TLSFailure",
    "TimeoutFailure",
    "UsageError",
]
