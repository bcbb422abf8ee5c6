"""One exception tree for the library and the CLI; each class knows its exit code.

:class:`ExitCode` is the one list of exit codes: the error classes, the error boundary, the
README table and the man page all take their numbers and meanings from it.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Optional


class ExitCode(IntEnum):
    """The process exit codes scripts can rely on, each with what it means."""

    meaning: str

    def __new__(cls, value: int, meaning: str) -> ExitCode:
        member = int.__new__(cls, value)
        member._value_ = value
        member.meaning = meaning
        return member

    OK = 0, "success (also when stdout is closed early, e.g. by head)"
    FAILURE = 1, "any other failure, including an API error not listed below"
    USAGE = 2, "usage: bad arguments, unreadable or invalid input, invalid mapping, missing --yes"
    CONFIG = 3, "configuration: no URI or key, unreadable or invalid config file"
    AUTH = 4, "authentication or permission refused by the node (401/403)"
    NOT_FOUND = 5, "not found (404, or the node's not-found error)"
    CONFLICT = 6, "conflict: already exists (409)"
    UNREACHABLE = (
        7,
        "node (or DSS) unreachable, not an API node, TLS failure, timeout, 5xx after retries, "
        "or a deployer update still running at --wait-timeout",
    )
    DIFFERENCES = (
        8,
        "differences found, only with --exit-code (fleet status, state diff; a deployment "
        "not HEALTHY for deployer deployments status)",
    )
    ROLLED_BACK = 9, "a rollout failed its checks and rolled back to the stable mapping"
    INTERRUPTED = 130, "interrupted by Ctrl-C"
    TERMINATED = (
        143,
        "terminated by SIGTERM during a rollout (after restoring the stable mapping) or the demo",
    )


class ApinodeAdminError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code: int = ExitCode.FAILURE
    # For a failed write: False when no attempt can have reached the node (connection
    # refused, or a definite error answer to every attempt), True when one may have; None
    # when unknown. A rollback reports what a node serves from it.
    may_have_applied: Optional[bool] = None

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

    exit_code = ExitCode.USAGE


class ConfigError(ApinodeAdminError):
    """No URI or key, unreadable or invalid config file."""

    exit_code = ExitCode.CONFIG


class ConnectionFailure(ApinodeAdminError):
    """The node could not be reached: refused, DNS, TLS, timeout, dropped connection."""

    exit_code = ExitCode.UNREACHABLE


class TLSFailure(ConnectionFailure):
    """The TLS handshake failed (certificate verification, client certificate)."""


class TimeoutFailure(ConnectionFailure):
    """The node did not answer within the timeout."""


class NotAnAPINodeError(ConnectionFailure):
    """Something answered, but not an API node: an error without the node's JSON error body."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        content_type: Optional[str] = None,
        hint: Optional[str] = None,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.content_type = content_type

    def to_json(self) -> dict[str, Any]:
        payload = super().to_json()
        payload["error"]["status"] = self.status
        return payload


class InvalidResponseError(ApinodeAdminError):
    """The node answered 2xx with a body that is not the JSON expected."""

    exit_code = ExitCode.FAILURE


class APIError(ApinodeAdminError):
    """The node answered an HTTP error; keeps what the node said about it."""

    exit_code = ExitCode.FAILURE

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

    exit_code = ExitCode.AUTH


class NotFoundError(APIError):
    """404, or the node's own "not found" error."""

    exit_code = ExitCode.NOT_FOUND


class ConflictError(APIError):
    """409: the thing already exists."""

    exit_code = ExitCode.CONFLICT


class ServerError(APIError):
    """5xx still failing after the retries."""

    exit_code = ExitCode.UNREACHABLE


class JobFailed(APIError):
    """A long-running job of DSS (a deployment update) ended in failure.

    ``log_tail`` holds the last lines of the job's log, when DSS gave them.
    """

    exit_code = ExitCode.FAILURE

    def __init__(
        self,
        message: str,
        *,
        job_id: Optional[str] = None,
        log_tail: Optional[list[str]] = None,
        status: Optional[int] = None,
        error_type: Optional[str] = None,
        hint: Optional[str] = None,
    ) -> None:
        super().__init__(message, status=status, error_type=error_type, hint=hint)
        self.job_id = job_id
        self.log_tail = list(log_tail or [])


class JobStillRunning(TimeoutFailure):
    """A bounded wait ended while the job was still running; the job goes on."""

    def __init__(
        self, message: str, *, job_id: Optional[str] = None, hint: Optional[str] = None
    ) -> None:
        super().__init__(message, hint)
        self.job_id = job_id


class FleetFailure(ApinodeAdminError):
    """Some nodes of a fleet failed; the exit code is the first failed node's (fleet order)."""

    def __init__(self, message: str, exit_code: int, hint: Optional[str] = None) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code


class RolledBack(ApinodeAdminError):
    """A rollout failed (probes, a step that did not apply) and restored the stable mapping."""

    exit_code = ExitCode.ROLLED_BACK


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job, ``kill``) where a command stops as for Ctrl-C (exit 143)."""


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
    "ExitCode",
    "FleetFailure",
    "InvalidResponseError",
    "JobFailed",
    "JobStillRunning",
    "NotAnAPINodeError",
    "NotFoundError",
    "RolledBack",
    "ServerError",
    "TLSFailure",
    "Terminated",
    "TimeoutFailure",
    "UsageError",
]
