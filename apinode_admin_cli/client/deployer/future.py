"""DSSFuture: a long-running job of DSS (a deployment update), and a bounded wait on it.

The official client waits for a job with no bound and learns of a failure only as an HTTP
error of the job's GET. This one also reads a finished job without a result (``alive`` false,
``aborted``, ``unknown``) as a failure, and ``wait_for_result(timeout=...)`` stops waiting,
leaving the job running, once the time is up.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from apinode_admin_cli.client import errormap
from apinode_admin_cli.client.deployer.client import dss_wording, expect
from apinode_admin_cli.client.result import REQUIRED
from apinode_admin_cli.client.retry import LOST_STATUSES, RETRY_STATUSES
from apinode_admin_cli.client.urls import segment
from apinode_admin_cli.errors import (
    APIError,
    ApinodeAdminError,
    AuthenticationError,
    JobFailed,
    JobStillRunning,
    NotFoundError,
)
from apinode_admin_cli.jsonutil import loads

if TYPE_CHECKING:
    from apinode_admin_cli.client.deployer.client import DSSDeployerClient

# Polling: quick at first (most updates of a small service take a second or two), then
# slower, never more than a few seconds apart so that the end is seen soon.
FIRST_POLL = 0.2
POLL_GROWTH = 1.2
MAX_POLL = 3.0
TAIL_LINES = 20


def log_tail(value: Any, lines: int = TAIL_LINES) -> list[str]:
    """The last lines of a job log as DSS gives it: a list, ``{"lines": [...]}`` or text."""
    if isinstance(value, dict):
        value = value.get("lines", value.get("logTail"))
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        return []
    return [str(line) for line in value[-lines:]]


class DSSFuture:
    """A handle on one job: its state, its result, a wait for it, and abort."""

    def __init__(
        self,
        client: DSSDeployerClient,
        job_id: Optional[str],
        state: Optional[dict[str, Any]] = None,
        result_wrapper: Callable[[Any], Any] = lambda result: result,
    ) -> None:
        self.client = client
        self.job_id = job_id
        self.state = state
        self.state_is_peek = True
        self.result_wrapper = result_wrapper

    def __repr__(self) -> str:
        return f"DSSFuture({self.job_id!r})"

    @staticmethod
    def from_resp(
        client: DSSDeployerClient,
        resp: dict[str, Any],
        result_wrapper: Callable[[Any], Any] = lambda result: result,
    ) -> DSSFuture:
        """The future an API call answered with (its state holds ``jobId``)."""
        return DSSFuture(client, resp.get("jobId"), state=resp, result_wrapper=result_wrapper)

    def _path(self) -> tuple[str, str]:
        return ("futures", segment(self.job_id or "", "job id"))

    def abort(self) -> None:
        """Ask DSS to stop the job."""
        self.client._call("DELETE", self._path())

    def get_state(self) -> dict[str, Any]:
        """The job's state, with its result once it has one; JobFailed when DSS says it failed."""
        result = self.client._raw(
            "GET", self._path(), params={"peek": False}, raise_for_status=False
        )
        if result.status >= 400:
            raise self._failure_answer(result)
        try:
            answer = result.parse(REQUIRED)
        except ApinodeAdminError as exc:
            raise dss_wording(exc) from None
        state: dict[str, Any] = expect(answer, dict, "the job state")
        self.state, self.state_is_peek = state, False
        return state

    def peek_state(self) -> dict[str, Any]:
        """The job's state without its result."""
        answer = self.client._call("GET", self._path(), params={"peek": True}, need=REQUIRED)
        self.state, self.state_is_peek = expect(answer, dict, "the job state"), True
        return self.state

    def get_result(self) -> Any:
        """The result of a finished job; an error while it runs or when it failed."""
        state = self.state
        if not state or not state.get("hasResult") or self.state_is_peek or "result" not in state:
            self.get_state()
        assert self.state is not None
        if self.state.get("hasResult"):
            return self.result_wrapper(self.state.get("result"))
        self._raise_if_over(self.state)
        raise JobStillRunning(f"job {self.job_id} has no result yet", job_id=self.job_id)

    def has_result(self) -> bool:
        """Whether the job finished with a result."""
        if self.state is None or not self.state.get("hasResult"):
            self.get_state()
        return bool(self.state and self.state.get("hasResult"))

    def wait_for_result(
        self,
        timeout: Optional[float] = None,
        on_progress: Optional[Callable[[dict[str, Any]], None]] = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Any:
        """Wait for the job and return its result.

        ``timeout`` (seconds) bounds the wait: past it, ``JobStillRunning`` (exit 7) and the
        job goes on. A failed job raises ``JobFailed`` with its message and log tail.
        ``on_progress`` sees every state read while waiting.
        """
        if self.state is not None and self.state.get("hasResult") and "result" in self.state:
            return self.result_wrapper(self.state["result"])
        # A state that says the job ended but carries no result (a peek, or the answer to
        # the request that started a job which ended at once) is read again, in full.
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = FIRST_POLL
        state = self.get_state()
        while not state.get("hasResult"):
            self._raise_if_over(state)
            if on_progress is not None:
                on_progress(state)
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise JobStillRunning(
                        f"job {self.job_id} is still running after {timeout:g} s; "
                        "it goes on in DSS",
                        job_id=self.job_id,
                    )
                delay = min(delay, left)
            sleep(delay)
            delay = min(delay * POLL_GROWTH, MAX_POLL)
            state = self.get_state()
        return self.result_wrapper(state.get("result"))

    def _raise_if_over(self, state: dict[str, Any]) -> None:
        """JobFailed for a job that ended without a result."""
        if state.get("hasResult"):
            return
        why = None
        if state.get("aborted"):
            why = "was aborted"
        elif state.get("unknown"):
            why = "is unknown to DSS (finished long ago, or DSS restarted)"
        elif state.get("alive") is False:
            why = "ended without a result"
        if why is None:
            return
        tail = log_tail(state.get("logTail")) or log_tail(state.get("log"))
        raise JobFailed(f"job {self.job_id} {why}", job_id=self.job_id, log_tail=tail)

    def _failure_answer(self, result: Any) -> Exception:
        """The error for an HTTP error answer to the job's GET: a failed job, or a failure."""
        content_type = result.headers.get("Content-Type", "")
        error = errormap.http_error(
            result.status,
            result.reason,
            result.content,
            content_type,
            secrets=self.client.secrets,
            where=(self.client.host, "GET", f"/dip/publicapi/futures/{self.job_id}"),
        )
        busy = result.status in RETRY_STATUSES or result.status in LOST_STATUSES
        plain = isinstance(error, (AuthenticationError, NotFoundError)) or busy
        if plain or not isinstance(error, APIError):
            return dss_wording(error)
        # DSS explained the error itself: that is how it reports a job that failed.
        try:
            body = loads(result.content)
        except ValueError:
            body = {}
        tail = log_tail(body.get("logTail")) if isinstance(body, dict) else []
        return JobFailed(
            error.message,
            job_id=self.job_id,
            log_tail=tail,
            status=result.status,
            error_type=error.error_type,
        )


__all__ = ["DSSFuture", "log_tail"]
