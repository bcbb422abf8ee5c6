"""The deployer emulator object, its background runner and the serve loop."""

from __future__ import annotations

import base64
import binascii
import secrets
import sys
import threading
from pathlib import Path
from typing import IO, Any, Optional, Union

import apinode_admin_cli.emulator.deployer.deployments as deployments
import apinode_admin_cli.emulator.deployer.infras as infras
import apinode_admin_cli.emulator.deployer.jobs as jobs
import apinode_admin_cli.emulator.deployer.k8s as k8s
import apinode_admin_cli.emulator.deployer.queries as queries
import apinode_admin_cli.emulator.deployer.services as services
import apinode_admin_cli.emulator.deployer.update as update
import apinode_admin_cli.emulator.faults as faults
from apinode_admin_cli.emulator.deployer.handler import DeployerHandler
from apinode_admin_cli.emulator.deployer.store import DeployerStore, resolve_api_key
from apinode_admin_cli.emulator.errors import ApiError
from apinode_admin_cli.emulator.options import check_delay, check_host, check_port
from apinode_admin_cli.emulator.routes import Router
from apinode_admin_cli.emulator.runner import (
    ServerHandle,
    data_dir_or_temp,
    run_until_signal,
    serve_in_thread,
    start_line,
)
from apinode_admin_cli.emulator.server import EmulatorHTTPServer

_CHALLENGE = {"WWW-Authenticate": 'Basic realm="DSS"'}


class Deployer:
    """State, jobs, pods, faults and journal behind one deployer server."""

    router = Router.merged(
        services.router, infras.router, deployments.router, queries.router, jobs.router
    )
    control_router = Router.merged(faults.router, jobs.control_router)

    def __init__(
        self, data_dir: Path, api_key: Optional[str], latency_ms: float, log_stream: Any
    ) -> None:
        self.data_dir = Path(data_dir)
        self.store = DeployerStore(self.data_dir)
        self.api_key, self.key_source = resolve_api_key(self.data_dir, api_key)
        self.faults = faults.Faults()
        self.journal = faults.Journal()
        self.jobs = jobs.Jobs()
        self.job_faults = jobs.JobFaults()
        self.k8s = k8s.Cluster(self.store.k8s_dir)
        self.latency_ms = latency_ms
        self._log_stream = log_stream
        self._log_lock = threading.Lock()
        update.interrupted_updates(self)

    def resume_pods(self) -> None:
        """Start again the pods of the K8S deployments that were deployed before a restart."""
        state = self.store.read()
        for did, deployment in state["deployments"].items():
            infra = state["infras"].get(deployment["settings"]["infraId"])
            if (
                infra is not None
                and infra["settings"]["type"] == "K8S"
                and deployment.get("updates")
            ):
                self.k8s.resume(did)

    def log(self, line: str) -> None:
        """Write one line to the log stream, if any."""
        if self._log_stream is None:
            return
        with self._log_lock:
            try:
                self._log_stream.write(line.rstrip("\n") + "\n")
                self._log_stream.flush()
            except (OSError, ValueError):
                pass

    def authenticate(self, headers: dict[str, str]) -> None:
        """Accept the key as DSS clients send it: Basic (as user or password) or Bearer."""
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not value:
            raise ApiError(
                401, "No API key: send it with HTTP Basic or as a Bearer token", headers=_CHALLENGE
            )
        scheme, _, token = value.strip().partition(" ")
        candidates: list[str] = []
        if scheme.lower() == "bearer":
            candidates = [token.strip()]
        elif scheme.lower() == "basic":
            try:
                text = base64.b64decode(token.strip(), validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise ApiError(401, "Malformed Basic authorization header", headers=_CHALLENGE)
            user, _, password = text.partition(":")
            candidates = [user, password]
        else:
            raise ApiError(
                401, "Unsupported authentication scheme: use Basic or Bearer", headers=_CHALLENGE
            )
        if not any(
            c and secrets.compare_digest(c.encode(), self.api_key.encode()) for c in candidates
        ):
            raise ApiError(401, "Invalid API key", headers=_CHALLENGE)


class DeployerHandle(ServerHandle):
    """A running deployer emulator: its URI and key, journal, faults, pods and a stop switch."""

    app: Deployer

    def __init__(
        self, app: Deployer, server: EmulatorHTTPServer, thread: threading.Thread, scheme: str,
        temp_dir: Optional[Path],
    ) -> None:  # fmt: skip
        super().__init__(app, server, thread, scheme, temp_dir)
        self.api_key: str = app.api_key

    def add_job_fault(self, **spec: Any) -> dict[str, Any]:
        """Queue an update-job fault; same fields as ``POST /__emulator__/job-faults``."""
        return self.app.job_faults.add(spec)

    def clear_faults(self) -> None:
        """Drop every pending fault, HTTP and job ones."""
        super().clear_faults()
        self.app.job_faults.clear()

    def _before_stop(self) -> None:
        self.app.jobs.abort_all()

    def _after_stop(self) -> None:
        self.app.k8s.stop_all()

    def __enter__(self) -> DeployerHandle:
        return self


class DeployerHTTPServer(EmulatorHTTPServer):
    """The node emulator's server (bounded stop, tracked connections) with the deployer's routes."""

    def __init__(self, address: tuple[str, int], app: Any, ssl_context: Any = None) -> None:
        super().__init__(address, app, ssl_context)
        self.RequestHandlerClass = DeployerHandler


def start_deployer(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    data_dir: Optional[Union[str, Path]] = None,
    api_key: Optional[str] = None,
    latency_ms: float = 0,
    ssl_context: Any = None,
    log_stream: Optional[IO[str]] = None,
) -> DeployerHandle:
    """Start a deployer emulator in a background thread and return its handle (port 0: free).

    ValueError for a host that cannot be resolved, a port outside 0-65535 or a bad latency;
    ``DataDirError`` (an OSError) for a data dir in use by another deployer or a corrupt state.
    """
    host, port = check_host(host), check_port(port)
    latency_ms = check_delay(latency_ms)
    app = None
    with data_dir_or_temp(data_dir, "apinode-deployer-") as (folder, temp_dir):
        try:
            app = Deployer(folder, api_key, latency_ms, log_stream)
            server = DeployerHTTPServer((host, port), app, ssl_context)
            app.resume_pods()
        except BaseException:
            if app is not None:
                app.k8s.stop_all()
                app.store.close()
            raise
    thread = serve_in_thread(server, "apinode-deployer")
    scheme = "https" if ssl_context is not None else "http"
    return DeployerHandle(app, server, thread, scheme, temp_dir)


def serve_deployer(
    *,
    host: str = "127.0.0.1",
    port: int = 11200,
    data_dir: Optional[Union[str, Path]] = None,
    api_key: Optional[str] = None,
    latency_ms: float = 0,
    ssl_context: Any = None,
    stdout: Optional[IO[str]] = None,
    log_stream: Optional[IO[str]] = None,
) -> None:
    """Run a deployer emulator until SIGTERM or Ctrl-C, printing the one start line on stdout."""
    stdout = stdout or sys.stdout
    handle = start_deployer(
        host=host,
        port=port,
        data_dir=data_dir,
        api_key=api_key,
        latency_ms=latency_ms,
        ssl_context=ssl_context,
        log_stream=log_stream if log_stream is not None else sys.stderr,
    )
    line = start_line(handle, "Deployer emulator", "API key", handle.api_key, "api-key")
    run_until_signal(handle, line, stdout)
