"""An update job: push a deployment's version (or mapping) to every node of its infrastructure."""

from __future__ import annotations

import threading
from typing import Any, Optional

import apinode_admin_cli.emulator.deployer.nodes as node_api
from apinode_admin_cli.emulator.deployer.common import lookup, node_mapping
from apinode_admin_cli.emulator.deployer.jobs import Job
from apinode_admin_cli.emulator.deployer.store import now_ms
from apinode_admin_cli.emulator.errors import ApiError, conflict

HISTORY_SIZE = 50


class UpdateFailed(Exception):
    """The update could not be done (no node, an injected failure...): a FAILED update."""


class Aborted(Exception):
    """The job was aborted, or the deployer is stopping."""


def start(app: Any, did: str, requester: str = "admin") -> tuple[Job, dict[str, Any]]:
    """Start an update job of deployment ``did`` in the background.

    Returns the job and its state as it started (running, no result), which is what the
    request that started it answers: read after the thread starts, a job that fails at once
    would answer "ended" with no result, and clients would take that for a success.
    """
    with app.store.lock:
        running = app.jobs.running_for(did)
        if running is not None:
            raise conflict(f"Deployment {did} is already being updated (future {running.id})")
        job = Job(f"Updating deployment {did}", did)
        with app.store.transaction() as state:
            deployment = lookup(state, "deployments", did)
            started = now_ms()
            history = deployment.setdefault("updates", [])
            if history and history[-1]["startTimestamp"] >= started:
                started = history[-1]["startTimestamp"] + 1  # the id of an update: unique
            history.append(
                {
                    "startTimestamp": started,
                    "endTimestamp": None,
                    "requester": requester,
                    "type": "UPDATE",
                    "status": "RUNNING",
                    "jobId": job.id,
                    "logs": {"lines": []},
                }
            )
            del history[:-HISTORY_SIZE]
        job.start_timestamp = started
        app.jobs.add(job)
    started_state = job.state(peek=True)
    thread = threading.Thread(target=_run, args=(app, job), name=f"update-{did}", daemon=True)
    thread.start()
    return job, started_state


def _run(app: Any, job: Job) -> None:
    did = job.deployment_id
    urls: list[str] = []
    try:
        state = app.store.read()
        deployment = lookup(state, "deployments", did)
        settings = deployment["settings"]
        service = lookup(state, "services", deployment["serviceId"])
        infra = lookup(state, "infras", settings["infraId"])["settings"]
        mapping = node_mapping(settings["generationsMapping"], set(service["versions"]))
        enabled = bool(settings.get("enabled", True))
        job.log(
            f"Updating deployment {did}: service {deployment['serviceId']}, "
            f"{node_api.describe(mapping)}, {'enabled' if enabled else 'disabled'}, "
            f"on {infra['type']} infrastructure {infra['id']}"
        )
        _play_fault(app, job)
        targets = _targets(app, did, infra, settings, job)
        urls = [n.url for n in targets]
        failures = _push_all(app, job, targets, deployment["serviceId"], service, mapping, enabled)
    except Aborted:
        job.aborted = True
        job.log("Update aborted")
        _finish(app, job, "ABORTED", error=f"Update of deployment {did} aborted")
        return
    except (UpdateFailed, ApiError) as exc:
        message = exc.message if isinstance(exc, ApiError) else str(exc)
        job.log(f"Update FAILED: {message}")
        result = {"status": "FAILED", "nbNodes": len(urls), "nbNOKNodes": len(urls)}
        _finish(app, job, "FAILED", result=dict(result, message=message))
        return
    except Exception as exc:  # an emulator bug, or an injected crash: the future errors
        job.log(f"Update crashed: {type(exc).__name__}: {exc}")
        _finish(app, job, "FAILED", error=f"Update of deployment {did} failed: {exc}")
        return
    result = {
        "status": "FAILED" if failures else "SUCCESS",
        "nbNodes": len(targets),
        "nbNOKNodes": len(failures),
        "failedNodes": failures,
    }
    if failures:
        job.log(f"Update FAILED: {len(failures)} of {len(targets)} node(s) refused it")
        _finish(app, job, "FAILED", result=result)
        return
    job.log(f"Update done on {len(targets)} node(s)")
    deployed = {
        "generationsMapping": settings["generationsMapping"],
        "mapping": mapping,
        "enabled": enabled,
        "nodes": urls,
    }
    _finish(app, job, "SUCCESS", result=result, deployed=deployed)


def _play_fault(app: Any, job: Job) -> None:
    fault = app.job_faults.take(job.deployment_id)
    if fault is None:
        return
    job.log(f"(emulator) injected fault: {fault['mode']}")
    if fault["mode"] == "hang":
        while not job.abort.wait(0.2):
            pass
        raise Aborted()
    if fault["mode"] == "slow":
        if job.abort.wait(fault["delayMs"] / 1000):
            raise Aborted()
    elif fault["mode"] == "fail":
        raise UpdateFailed(fault["message"])
    elif fault["mode"] == "crash":
        raise RuntimeError(fault["message"])


def _targets(
    app: Any, did: str, infra: dict[str, Any], settings: dict[str, Any], job: Job
) -> list[node_api.Node]:
    if infra["type"] == "K8S":
        # The deployment's own replica count, when it sets one, wins over the infra's.
        replicas = int(settings.get("replicas") or infra.get("replicas") or 1)
        job.log(f"Running {replicas} replica(s) of the service's pods")
        return list(app.k8s.ensure(did, replicas))
    nodes = node_api.Node.of_infra(infra)
    if not nodes:
        raise UpdateFailed(f"Infrastructure {infra['id']} has no API node: add nodes to it first")
    return nodes


def _push_all(
    app: Any,
    job: Job,
    targets: list[node_api.Node],
    service_id: str,
    service: dict[str, Any],
    mapping: dict[str, Any],
    enabled: bool,
) -> list[dict[str, str]]:
    failures = []
    job.advance(0, len(targets))

    def archive_of(version: str) -> str:
        return str(app.store.data_dir / service["versions"][version]["file"])

    for position, node in enumerate(targets):
        if job.abort.is_set():
            raise Aborted()
        try:
            node_api.push(node, service_id, mapping, enabled, archive_of, job.log)
        except node_api.NodeError as exc:
            job.log(f"{node.url}: FAILED: {exc}")
            failures.append({"url": node.url, "message": str(exc)})
        job.advance(position + 1, len(targets))
    return failures


def _finish(
    app: Any,
    job: Job,
    status: str,
    result: Optional[dict[str, Any]] = None,
    error: Optional[str] = None,
    deployed: Optional[dict[str, Any]] = None,
) -> None:
    """Record the update's end in the history (and what is now deployed), then end the job."""
    message = error or (result or {}).get("message") or ""
    if not message and result and result.get("failedNodes"):
        first = result["failedNodes"][0]
        message = f"{first['url']}: {first['message']}"
    try:
        with app.store.transaction() as state:
            deployment = state["deployments"].get(job.deployment_id)
            if deployment is not None:
                for entry in deployment.get("updates", []):
                    if entry.get("jobId") == job.id:
                        entry.update(endTimestamp=now_ms(), status=status)
                        entry["logs"] = {"lines": list(job.lines)}
                deployment["lastUpdate"] = {
                    "status": status,
                    "startTimestamp": job.start_timestamp,
                    "message": message,
                }
                if deployed is not None:
                    deployment["deployed"] = dict(deployed, at=now_ms())
    finally:
        job.finish(result, error)


def interrupted_updates(app: Any) -> None:
    """At start-up: an update that was running when the deployer died failed."""
    with app.store.lock:
        state = app.store.read()
        stale = [
            did
            for did, d in state["deployments"].items()
            if any(u.get("status") == "RUNNING" for u in d.get("updates", []))
        ]
        if not stale:
            return
        with app.store.transaction() as draft:
            for did in stale:
                deployment = draft["deployments"][did]
                for entry in deployment["updates"]:
                    if entry.get("status") == "RUNNING":
                        entry.update(status="FAILED", endTimestamp=now_ms())
                        entry["logs"]["lines"].append("Interrupted: the deployer stopped")
                        deployment["lastUpdate"] = {
                            "status": "FAILED",
                            "startTimestamp": entry["startTimestamp"],
                            "message": "Interrupted: the deployer stopped during the update",
                        }
