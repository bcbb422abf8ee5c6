"""The answer to one exchange, and how to read it as JSON."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Mapping

from apinode_admin_cli.client import errormap
from apinode_admin_cli.errors import InvalidResponseError

log = logging.getLogger("apinode_admin_cli.http")


def expect(answer: Any, kind: type, what: str) -> Any:
    """``answer`` if it is of ``kind``; else the node did not speak the admin API."""
    if not isinstance(answer, kind):
        shape = "array" if kind is list else "object"
        raise InvalidResponseError(
            f"the node's {what} is not a JSON {shape}",
            hint="is the URI pointing at a DSS API node?",
        )
    return answer


@dataclass
class HttpResult:
    """What came back from one exchange."""

    method: str
    url: str
    status: int
    reason: str
    headers: Mapping[str, str]
    content: bytes
    elapsed_ms: float

    def json(self, required: bool = True) -> Any:
        """The body as JSON; None for an empty or non-JSON body when not ``required``."""
        if not self.content.strip():
            if required:
                raise InvalidResponseError(
                    f"the node answered HTTP {self.status} with an empty body, not JSON",
                    hint=_WRONG_SERVER_HINT,
                )
            return None
        try:
            return json.loads(self.content)
        except ValueError:
            ctype = self.headers.get("Content-Type", "")
            # Action answers are ignored by the official client; HTML though means a proxy portal.
            if not required and not errormap.looks_like_html(self.content, ctype):
                log.debug("ignoring a non-JSON answer to %s", self.method)
                return None
            what = (
                "an HTML page" if errormap.looks_like_html(self.content, ctype) else "invalid JSON"
            )
            raise InvalidResponseError(
                f"the node answered HTTP {self.status} with {what} where JSON was expected",
                hint=_WRONG_SERVER_HINT,
            )


_WRONG_SERVER_HINT = (
    "does the URI point at the API node itself (default port 12000), not DSS or a proxy portal?"
)
