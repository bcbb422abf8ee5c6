"""The emulator's JSON errors, shaped like a DSS node's: errorType, message, detailedMessage."""

from __future__ import annotations

from typing import Any, Optional

# Java-ish class names, because scripts written against real nodes match on `errorType`.
ERROR_TYPES = {
    400: "com.dataiku.dip.exceptions.DKUIllegalArgumentException",
    401: "com.dataiku.dip.exceptions.UnauthorizedException",
    404: "com.dataiku.dip.exceptions.UnknownObjectException",
    405: "com.dataiku.dip.exceptions.MethodNotAllowedException",
    409: "com.dataiku.dip.exceptions.ObjectAlreadyExistsException",
    413: "com.dataiku.dip.exceptions.DKUIllegalArgumentException",
    414: "com.dataiku.dip.exceptions.DKUIllegalArgumentException",
    431: "com.dataiku.dip.exceptions.DKUIllegalArgumentException",
    500: "com.dataiku.dip.exceptions.InternalErrorException",
    501: "com.dataiku.dip.exceptions.DKUIllegalArgumentException",
    503: "com.dataiku.lambda.exceptions.ServiceNotAvailableException",
    505: "com.dataiku.dip.exceptions.DKUIllegalArgumentException",
}


class ApiError(Exception):
    """An error answer: raising it anywhere in a handler produces the JSON error response."""

    def __init__(
        self,
        status: int,
        message: str,
        detail: Optional[str] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail
        self.headers = headers or {}

    def to_json(self) -> dict[str, Any]:
        """The error body."""
        return {
            "errorType": ERROR_TYPES.get(self.status, ERROR_TYPES[500]),
            "message": self.message,
            "detailedMessage": self.detail or self.message,
        }


def bad_request(message: str) -> ApiError:
    """A 400 for invalid input."""
    return ApiError(400, message)


def not_found(message: str) -> ApiError:
    """A 404 for an unknown service, generation, key or route."""
    return ApiError(404, message)


def conflict(message: str) -> ApiError:
    """A 409 for something that already exists."""
    return ApiError(409, message)
