"""The one redactor: whatever came from a node or names a key is made safe here before it shows.

Built once per run by the app (its secrets grow as a fleet resolves each node's key) and used
by every renderer, progress line and the error boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

if TYPE_CHECKING:
    from apinode_admin_cli.cli.common.results import Result
    from apinode_admin_cli.errors import ApinodeAdminError

# A message from the node could carry escape sequences that drive the user's terminal.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0)) if c != 0x0A}


def printable(text: str) -> str:
    """Text from elsewhere (a node's message) with control characters written as ``\\xHH``.

    Line breaks stay, but every line after the first is indented so that it cannot pass
    for one of this tool's own ``Hint:`` or ``Error:`` lines.
    """
    return text.translate(_CONTROLS).replace("\n", "\n  ")


class Redactor:
    """Scrubs every spelling of every key this run knows; escapes what a terminal would obey."""

    def __init__(self, secrets: Callable[[], Iterable[Optional[str]]]) -> None:
        self._secrets = secrets

    def scrub(self, text: str) -> str:
        """Keys hidden, nothing else changed: for JSON, whose writer escapes controls once."""
        from apinode_admin_cli.redact import scrub

        return scrub(text, self._secrets())

    def line(self, text: str) -> str:
        """Keys hidden and controls escaped, continuation lines indented: for the terminal."""
        return printable(self.scrub(text))

    def message(self, error: Optional[BaseException]) -> str:
        """An error's message as a terminal line."""
        return self.line(_text(error))

    def error_json(self, error: Optional[BaseException]) -> dict[str, Any]:
        """A node's error in a per-node JSON outcome: status, errorType, message, exitCode."""
        from apinode_admin_cli.errors import ApinodeAdminError, ExitCode

        payload: dict[str, Any] = {}
        code = int(ExitCode.FAILURE)
        if isinstance(error, ApinodeAdminError):
            payload, code = error.to_json()["error"], int(error.exit_code)
        return {
            "status": payload.get("status"),
            "errorType": self.scrub(str(payload.get("errorType") or type(error).__name__)),
            "message": self.scrub(_text(error)),
            "exitCode": code,
        }

    def error_document(self, exc: ApinodeAdminError) -> dict[str, Any]:
        """The error object ``-o json`` prints on stderr, with the node's text scrubbed."""
        document = exc.to_json()
        error = document["error"]
        error["message"] = self.scrub(exc.message)
        if error.get("errorType") is not None:  # the node's own text: it may echo a key
            error["errorType"] = self.scrub(str(error["errorType"]))
        return document

    def data(self, data: Any) -> Any:
        """A node's answer (any JSON) with every key scrubbed: values and names alike."""
        from apinode_admin_cli.redact import scrub_data

        return scrub_data(data, self._secrets())

    def result(self, result: Result) -> Result:
        """What an operation returned, its node data scrubbed (the same object when clean)."""
        from apinode_admin_cli.cli.common.results import Action, Line, Rows, Sections, Summary

        if isinstance(result, Rows):
            records = self.data(list(result.records))
            # A listing is often its own raw answer: checked once (100,000 rows cost 0.1 s).
            raw = records if result.raw is result.records else self.data(result.raw)
            return Rows(records, result.columns, raw)
        if isinstance(result, Summary):
            return Summary(self.data(result.data))
        if isinstance(result, Action):
            value = None if result.value is None else self.scrub(result.value)
            return Action(self.data(result.answer), value, result.columns)
        if isinstance(result, Line):
            return Line(self.scrub(result.text), self.data(result.raw))
        if isinstance(result, Sections):
            return Sections([self.result(part) for part in result.parts], self.data(result.raw))
        return result

    def change_errors(self, document: dict[str, Any]) -> dict[str, Any]:
        """``state apply -o json``: each failed change's error text scrubbed, in place."""
        for change in document.get("changes", []):
            error = change.get("error")
            if error:
                for field in ("errorType", "message"):
                    error[field] = self.scrub(str(error[field]))
        return document


def _text(error: Optional[BaseException]) -> str:
    from apinode_admin_cli.errors import ApinodeAdminError

    return error.message if isinstance(error, ApinodeAdminError) else str(error)


__all__ = ["Redactor", "printable"]
