"""The answer to one exchange, how to read it as JSON, and the checks of its shape."""

from __future__ import annotations

import logging
from typing import Any, Mapping, Optional

from apinode_admin_cli.errors import InvalidResponseError
from apinode_admin_cli.jsonutil import loads

log = logging.getLogger("apinode_admin_cli.http")

WRONG_ANSWER = "the node answered 2xx but not the expected JSON"
ANSWER_LOST_NOTE = (
    "the answer to an earlier attempt was lost, and the retry found the object gone: "
    "that earlier attempt deleted it"
)
_WRONG_SERVER_HINT = (
    "does the URI point at the API node itself (default port 12000), not DSS or a proxy portal?"
)

# How much of an answer the caller needs (``HttpResult.parse``).
REQUIRED = "required"  # JSON, always
OPTIONAL = "optional"  # JSON when there is a body; an empty body is None
IGNORED = "ignored"  # read if it is JSON, else None (the official client ignores action answers)


class LostAnswer(dict):  # type: ignore[type-arg]
    """What a delete returns when its first answer was lost and a retry found the object gone.

    A dict like the node's usual answer, ``{"ok": True}``, with ``answer_lost`` true and
    ``note`` explaining it, so a caller can say that the deletion happened unseen.
    """

    answer_lost = True
    note = ANSWER_LOST_NOTE

    def __init__(self) -> None:
        super().__init__(ok=True)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    for kind, name in ((dict, "an object"), (list, "an array"), (str, "a string")):
        if isinstance(value, kind):
            return name
    return "a number"


def wrong_answer(what: str) -> InvalidResponseError:
    """The error for a 2xx answer that lacks what the caller needs; ``what`` names it."""
    return InvalidResponseError(
        f"{WRONG_ANSWER}: {what}", hint="is the URI pointing at a DSS API node?"
    )


def expect(answer: Any, kind: type, what: str) -> Any:
    """``answer`` if it is of ``kind``; else the node did not speak the admin API."""
    if not isinstance(answer, kind):
        shape = "an array" if kind is list else "an object"
        raise wrong_answer(f"{what} is {_kind(answer)}, not {shape}")
    return answer


def expect_objects(answer: Any, what: str, field: Optional[str] = None) -> list[Any]:
    """``answer`` if it is an array of objects (each with a string ``field``, if given)."""
    items: list[Any] = expect(answer, list, what)
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise wrong_answer(f"item {number} of {what} is {_kind(item)}, not an object")
        if field is not None and not isinstance(item.get(field), str):
            raise wrong_answer(f"item {number} of {what} has no '{field}' string")
    return items


def expect_share(item: Mapping[str, Any], field: str, what: str) -> None:
    """Unless ``item[field]`` is absent, null, or a number a float can hold: a wrong answer."""
    value = item.get(field)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return  # not a share at all: readers take it as no traffic, as before
    try:
        float(value)
    except OverflowError:
        raise wrong_answer(f"{what} has a '{field}' share too large for a number") from None


def expect_field(answer: Any, field: str, what: str) -> Any:
    """``answer`` if it is an object whose ``field`` is a non-empty string."""
    expect(answer, dict, what)
    value = answer.get(field)
    if not isinstance(value, str) or not value:
        found = "no" if field not in answer else f"{_kind(value)} as its"
        raise wrong_answer(f"{what} has {found} '{field}' field")
    return answer


class HttpResult:
    """What came back from one exchange; ``answer_lost`` marks a delete found already done."""

    __slots__ = (
        "answer_lost",
        "content",
        "elapsed_ms",
        "headers",
        "method",
        "reason",
        "status",
        "url",
    )

    def __init__(
        self,
        method: str,
        url: str,
        status: int,
        reason: str,
        headers: Mapping[str, str],
        content: bytes,
        elapsed_ms: float,
        answer_lost: bool = False,
    ) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content
        self.elapsed_ms = elapsed_ms
        self.answer_lost = answer_lost

    def lost(self) -> HttpResult:
        """This answer, for a delete whose first answer was lost: no body, ``answer_lost``."""
        return HttpResult(
            self.method,
            self.url,
            self.status,
            self.reason,
            self.headers,
            b"",
            self.elapsed_ms,
            True,
        )

    def json(self, required: bool = True) -> Any:
        """The body as JSON; None for an empty or non-JSON body when not ``required``."""
        return self.parse(REQUIRED if required else IGNORED)

    def parse(self, need: str) -> Any:
        """The body as strict JSON, as much as ``need`` (REQUIRED, OPTIONAL, IGNORED) asks."""
        if not self.content.strip():
            if need == REQUIRED:
                raise InvalidResponseError(
                    f"the node answered HTTP {self.status} with an empty body, not JSON",
                    hint=_WRONG_SERVER_HINT,
                )
            return None
        try:
            return loads(self.content)
        except ValueError as exc:
            # Action answers are ignored by the official client. (An HTML page never gets here:
            # the transport refuses it as the answer of something that is not an API node.)
            if need == IGNORED:
                log.debug("ignoring a non-JSON answer to %s", self.method)
                return None
            raise InvalidResponseError(
                f"the node answered HTTP {self.status} with invalid JSON ({_reason(exc)}) "
                "where JSON was expected",
                hint=_WRONG_SERVER_HINT,
            )


def _reason(exc: ValueError) -> str:
    text = str(exc).split(":")[0]
    return text if len(text) <= 80 else text[:80] + "..."
