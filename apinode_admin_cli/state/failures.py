"""Why an apply stopped, as exceptions that carry its result and the exit code it calls for.

Library code: the messages name what happened on the node, never a command-line flag.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apinode_admin_cli.errors import ApinodeAdminError

if TYPE_CHECKING:
    from apinode_admin_cli.state.execute import ApplyResult


def done_summary(result: ApplyResult) -> str:
    """``5 changes done``, ``1 change done``, ``no changes``; what a stop left, if one did."""
    count = len(result.done)
    if not result.outcomes:
        return "no changes"
    text = f"{count} change{'' if count == 1 else 's'} done"
    if result.stop_code is not None:
        maybe = len(result.interrupted)
        text += f", {maybe} may have been applied, {len(result.not_run)} not run"
    return text


class ApplyStopped(ApinodeAdminError):
    """A node's apply stopped by Ctrl-C or SIGTERM (on a fleet): its result, and the stop's code."""

    def __init__(self, result: ApplyResult) -> None:
        self.result = result
        super().__init__(
            f"apply interrupted: {done_summary(result)}",
            hint="run apply again: it plans from where the node is now",
        )
        self.exit_code = result.exit_code


class ApplyFailure(ApinodeAdminError):
    """An apply that stopped at a failed change; exits with that change's exit code."""

    def __init__(self, result: ApplyResult) -> None:
        from apinode_admin_cli.state.render import change_line

        failed = result.failed
        assert failed is not None and failed.error is not None
        self.result = result
        self.cause = failed.error
        not_run = len(result.not_run)
        hint = f"{done_summary(result)}, {not_run} not run: "
        if failed.error.hint:
            hint += f"{failed.error.hint}; then "
        hint += "run apply again, it plans from where the node is now"
        super().__init__(
            f"apply stopped at `{change_line(failed.change)}`: {failed.error.message}", hint
        )
        self.exit_code = result.exit_code

    def to_json(self) -> dict[str, Any]:
        payload = self.cause.to_json()
        payload["error"]["message"] = self.message
        return payload


__all__ = ["ApplyFailure", "ApplyStopped", "done_summary"]
