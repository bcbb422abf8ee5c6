"""Futures (background jobs with progress and a result) and the faults that update jobs can play."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any, Optional

from apinode_admin_cli.emulator.deployer.common import flag
from apinode_admin_cli.emulator.errors import ApiError, bad_request, not_found
from apinode_admin_cli.emulator.faults import FaultQueue, queue_routes
from apinode_admin_cli.emulator.options import MAX_DELAY_MS
from apinode_admin_cli.emulator.routes import Request, Router

router = Router()
control_router = Router()
JOB_MODES = ("hang", "fail", "crash", "slow")
LOG_TAIL_LINES = 20
KEPT_JOBS = 500  # finished futures remembered; older ones answer 404 as on a busy DSS


class JobError(ApiError):
    """What the non-peek GET of a future that died answers: DSS clients expect an HTTP error."""

    def __init__(self, message: str, log_tail: list[str]) -> None:
        super().__init__(500, message)
        self.log_tail = log_tail

    def to_json(self) -> dict[str, Any]:
        body = super().to_json()
        body["errorType"] = "com.dataiku.dip.exceptions.CodedException"
        body["logTail"] = {"lines": list(self.log_tail)}
        return body


class Job:
    """One background job: its progress, its log, then a result or an error."""

    def __init__(self, name: str, deployment_id: str) -> None:
        self.id = secrets.token_hex(8)
        self.name = name
        self.deployment_id = deployment_id
        self.start_timestamp = 0  # the id of the update it runs, in the deployment's history
        self.started = time.time()
        self.abort = threading.Event()
        self.done = threading.Event()
        self.lines: list[str] = []
        self.cur, self.target = 0, -1
        self.result: Optional[dict[str, Any]] = None
        self.error: Optional[str] = None
        self.aborted = False
        self._lock = threading.Lock()

    def log(self, line: str) -> None:
        """Append a line to the job's log."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        with self._lock:
            self.lines.append(f"[{stamp}] {line}")

    def advance(self, cur: int, target: int) -> None:
        """Record progress: ``cur`` of ``target`` steps done."""
        with self._lock:
            self.cur, self.target = cur, target

    def finish(self, result: Optional[dict[str, Any]], error: Optional[str] = None) -> None:
        """End the job with a result, or with an error message."""
        with self._lock:
            self.result, self.error = result, error
        self.done.set()

    def state(self, peek: bool) -> dict[str, Any]:
        """The future state DSS clients poll; a job that died answers an error unless peeked."""
        with self._lock:
            finished = self.done.is_set()
            if finished and self.error is not None and not peek:
                raise JobError(self.error, self.lines[-LOG_TAIL_LINES:])
            has_result = finished and self.error is None
            state: dict[str, Any] = {
                "jobId": self.id,
                "alive": not finished,
                "hasResult": has_result,
                "aborted": self.aborted,
                "abortable": not finished,
                "unknown": False,
                "startTime": int(self.started * 1000),
                "runningTime": int((time.time() - self.started) * 1000),
                "jobDisplayName": self.name,
                "progress": {
                    "states": [
                        {
                            "name": self.name,
                            "unit": "NONE",
                            "cur": self.cur,
                            "target": self.target,
                            "important": True,
                            "msSinceStart": int((time.time() - self.started) * 1000),
                        }
                    ]
                },
            }
            if has_result and not peek:
                state["result"] = self.result
                state["log"] = {"lines": list(self.lines)}
            if finished and self.error is not None:
                state["logTail"] = {"lines": self.lines[-LOG_TAIL_LINES:]}
            return state


class Jobs:
    """The jobs the deployer knows since it started (futures do not survive a restart)."""

    def __init__(self, kept: int = KEPT_JOBS) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._kept = kept

    def add(self, job: Job) -> None:
        """Register a job, forgetting the oldest finished ones beyond the limit."""
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.done.is_set()]
            for old in sorted(finished, key=lambda j: j.started)[
                : max(0, len(finished) - self._kept)
            ]:
                del self._jobs[old.id]

    def get(self, job_id: str) -> Job:
        """The job, else a 404 (an unknown future must not make clients poll forever)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise not_found(f"Future {job_id} does not exist (futures do not survive a restart)")
        return job

    def running_for(self, deployment_id: str) -> Optional[Job]:
        """The job still running on a deployment, if any."""
        with self._lock:
            for job in self._jobs.values():
                if job.deployment_id == deployment_id and not job.done.is_set():
                    return job
        return None

    def all(self) -> list[Job]:
        """Every job, oldest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started)

    def abort_all(self, wait_s: float = 2.0) -> None:
        """Ask every running job to stop (the deployer is stopping), then wait a moment for
        them to record it: a job cut while writing the state would leave it behind."""
        running = [job for job in self.all() if not job.done.is_set()]
        for job in running:
            job.abort.set()
        deadline = time.monotonic() + wait_s
        for job in running:
            job.done.wait(max(0.0, deadline - time.monotonic()))


class JobFaults(FaultQueue):
    """Faults for the next update jobs: hang until aborted, fail, crash, or run slowly."""

    def add(self, spec: Any) -> dict[str, Any]:
        """Queue a validated fault and return it."""
        if not isinstance(spec, dict):
            raise bad_request("Invalid job fault: expected a JSON object")
        unknown = sorted(set(spec) - {"mode", "count", "message", "delayMs", "deployment"})
        if unknown:
            raise bad_request(f"Invalid job fault: unknown field(s) {', '.join(unknown)}")
        mode, count = spec.get("mode"), spec.get("count", 1)
        if mode not in JOB_MODES:
            raise bad_request(f"Invalid job fault: 'mode' must be one of {', '.join(JOB_MODES)}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise bad_request("Invalid job fault: 'count' must be an integer >= 1")
        delay = spec.get("delayMs", 1000 if mode == "slow" else 0)
        if isinstance(delay, bool) or not isinstance(delay, (int, float)):
            raise bad_request("Invalid job fault: 'delayMs' must be a number")
        if not 0 <= delay <= MAX_DELAY_MS:
            raise bad_request(f"Invalid job fault: 'delayMs' from 0 to {MAX_DELAY_MS}")
        fault = {
            "mode": mode,
            "count": count,
            "delayMs": delay,
            "message": str(spec.get("message") or f"Injected fault: update job {mode}"),
            "deployment": spec.get("deployment"),
        }
        return self._queue(fault)

    def take(self, deployment_id: str) -> Optional[dict[str, Any]]:
        """Consume one use of the first fault for this deployment (or for any)."""
        return self._take_first(lambda fault: fault["deployment"] in (None, deployment_id))


@router.route("GET", "futures/{job_id}")
def get_future(req: Request, job_id: str) -> Any:
    return req.app.jobs.get(job_id).state(peek=flag(req.query, "peek"))


@router.route("DELETE", "futures/{job_id}")
def abort_future(req: Request, job_id: str) -> Any:
    job = req.app.jobs.get(job_id)
    if not job.done.is_set():
        job.abort.set()
    return {"ok": True}


@router.route("GET", "futures")
def list_futures(req: Request) -> Any:
    return [job.state(peek=True) for job in req.app.jobs.all() if not job.done.is_set()]


queue_routes(control_router, "__emulator__/job-faults", lambda app: app.job_faults)
