"""Deployments: creation, settings, light and heavy status, updates, history and deletion."""

from __future__ import annotations

from typing import Any

import apinode_admin_cli.emulator.deployer.health as health
import apinode_admin_cli.emulator.deployer.infras as infras
import apinode_admin_cli.emulator.deployer.nodes as node_api
import apinode_admin_cli.emulator.deployer.update as update
from apinode_admin_cli.emulator.deployer.common import (
    OK,
    check_id,
    exists_already,
    flag,
    json_object,
    lookup,
    node_mapping,
)
from apinode_admin_cli.emulator.deployer.store import now_ms
from apinode_admin_cli.emulator.errors import ApiError, bad_request, conflict, not_found
from apinode_admin_cli.emulator.routes import Request, Router

router = Router()
BASE = "api-deployer/deployments"


def light_status(state: dict[str, Any], did: str) -> dict[str, Any]:
    """A deployment's light status: basic info, its infra and service, its keys."""
    deployment = state["deployments"][did]
    settings = deployment["settings"]
    infra = state["infras"].get(settings["infraId"])
    basic = {
        "id": did,
        "type": "API_SERVICE",
        "enabled": settings["enabled"],
        "publishedServiceId": deployment["serviceId"],
        "infraId": settings["infraId"],
        "generationsMapping": settings["generationsMapping"],
        "tags": settings.get("tags", []),
    }
    if deployment.get("deployed") is not None:
        basic["deployedServiceId"] = deployment["serviceId"]
    infra_basic: dict[str, Any] = {"id": settings["infraId"]}
    if infra is not None:
        infra_basic.update(type=infra["settings"]["type"], stage=infra["settings"]["stage"])
        if infra["settings"]["type"] == "STATIC":
            infra_basic["apiNodeUrls"] = [n["url"] for n in infra["settings"]["apiNodes"]]
    return {
        "deploymentBasicInfo": basic,
        "infraBasicInfo": infra_basic,
        "serviceBasicInfo": {"id": deployment["serviceId"], "name": deployment["serviceId"]},
        "publicAccess": True,
        "apiKeys": [],
        "neverEverDeployed": deployment.get("deployed") is None,
    }


@router.route("GET", BASE)
def list_deployments(req: Request) -> Any:
    state = req.app.store.read()
    return [light_status(state, did) for did in sorted(state["deployments"])]


@router.route("POST", BASE)
def create_deployment(req: Request) -> Any:
    body = json_object(req.json(), "deployment creation")
    flag(req.query, "ignoreWarnings")  # checked; the emulator has no governance warnings
    did = check_id(body.get("deploymentId"), "deploymentId")
    sid = check_id(body.get("publishedServiceId"), "publishedServiceId")
    iid = check_id(body.get("infraId"), "infraId")
    version = body.get("version")
    with req.app.store.transaction() as state:
        if did in state["deployments"]:
            raise exists_already("deployments", did)
        service = lookup(state, "services", sid)
        lookup(state, "infras", iid)
        mapping = {"mode": "SINGLE_GENERATION", "generation": version}
        node_mapping(mapping, set(service["versions"]))
        state["deployments"][did] = {
            "serviceId": sid,
            "createdOn": now_ms(),
            "settings": {
                "id": did,
                "publishedServiceId": sid,
                "infraId": iid,
                "enabled": True,
                "generationsMapping": mapping,
                "tags": [],
                "endpointId": body.get("endpointId"),
                "authorizationsToQueryThroughDeployer": body.get(
                    "authorizationsToQueryThroughDeployer"
                ),
            },
            "deployed": None,
            "lastUpdate": None,
            "updates": [],
        }
    return {"id": did}


@router.route("GET", BASE + "/{did}")
def get_deployment(req: Request, did: str) -> Any:
    state = req.app.store.read()
    lookup(state, "deployments", did)
    return light_status(state, did)


@router.route("GET", BASE + "/{did}/status")
def get_heavy_status(req: Request, did: str) -> Any:
    return health.heavy_status(req.app, did)


@router.route("GET", BASE + "/{did}/settings")
def get_settings(req: Request, did: str) -> Any:
    return lookup(req.app.store.read(), "deployments", did)["settings"]


@router.route("PUT", BASE + "/{did}/settings")
def save_settings(req: Request, did: str) -> Any:
    given = json_object(req.json(), "deployment settings")
    flag(req.query, "ignoreWarnings")
    with req.app.store.transaction() as state:
        deployment = lookup(state, "deployments", did)
        current = deployment["settings"]
        for fixed in ("id", "publishedServiceId", "infraId"):
            if fixed in given and given[fixed] != current[fixed]:
                raise bad_request(f"Invalid settings: {fixed} cannot change ({current[fixed]})")
        enabled = given.get("enabled", current["enabled"])
        if not isinstance(enabled, bool):
            raise bad_request("Invalid settings: enabled must be true or false")
        replicas = given.get("replicas")
        if replicas is not None and (
            isinstance(replicas, bool) or replicas not in range(1, infras.MAX_REPLICAS + 1)
        ):
            raise bad_request(f"Invalid replicas {replicas!r}: from 1 to {infras.MAX_REPLICAS}")
        mapping = given.get("generationsMapping", current["generationsMapping"])
        versions = set(lookup(state, "services", deployment["serviceId"])["versions"])
        node_mapping(mapping, versions)
        deployment["settings"] = dict(
            given,
            id=did,
            publishedServiceId=current["publishedServiceId"],
            infraId=current["infraId"],
            enabled=enabled,
            generationsMapping=mapping,
        )
    return OK


@router.route("POST", BASE + "/{did}/actions/update")
def start_update(req: Request, did: str) -> Any:
    _, started_state = update.start(req.app, did)
    return started_state


def _remove_from_nodes(app: Any, state: dict[str, Any], did: str) -> list[str]:
    """Take the deployment's service off its nodes; the problems met, one line each."""
    deployment = state["deployments"][did]
    infra = state["infras"].get(deployment["settings"]["infraId"])
    if infra is None or not deployment.get("updates"):
        return []  # never pushed anywhere
    if infra["settings"]["type"] == "K8S":
        app.k8s.stop(did, forget=True)
        return []
    problems = []
    for node in node_api.Node.of_infra(infra["settings"]):
        try:
            node_api.remove(node, deployment["serviceId"])
        except node_api.NodeError as exc:
            problems.append(str(exc))
    return problems


@router.route("DELETE", BASE + "/{did}")
def delete_deployment(req: Request, did: str) -> Any:
    app = req.app
    ignore = flag(req.query, "ignorePreDeleteErrors")
    state = app.store.read()
    lookup(state, "deployments", did)
    running = app.jobs.running_for(did)
    if running is not None:
        raise conflict(f"Deployment {did} is being updated (future {running.id}): abort it first")
    problems = _remove_from_nodes(app, state, did)
    if problems and not ignore:
        raise ApiError(
            500,
            f"Deployment {did} was not deleted: its service could not be removed from "
            f"{len(problems)} node(s): {'; '.join(problems)} "
            "(pass ignorePreDeleteErrors=true to delete it anyway)",
        )
    with app.store.transaction() as draft:
        draft["deployments"].pop(did, None)
    return OK


@router.route("GET", BASE + "/{did}/governance-status")
def governance_status(req: Request, did: str) -> Any:
    lookup(req.app.store.read(), "deployments", did)
    return health.info_messages([])


@router.route("GET", BASE + "/{did}/get-open-api")
def get_open_api(req: Request, did: str) -> Any:
    lookup(req.app.store.read(), "deployments", did)
    raise not_found(f"Deployment {did} has no endpoint with an OpenAPI documentation")


def _history(req: Request, did: str) -> list[dict[str, Any]]:
    deployment = lookup(req.app.store.read(), "deployments", did)
    return list(reversed(deployment.get("updates") or []))  # newest first


def _full(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "jobId"}


@router.route("GET", BASE + "/{did}/update")
def list_updates(req: Request, did: str) -> Any:
    return [
        {"startTimestamp": u["startTimestamp"], "type": u["type"], "status": u["status"]}
        for u in _history(req, did)
    ]


@router.route("GET", BASE + "/{did}/update/{timestamp}")
def get_update(req: Request, did: str, timestamp: str) -> Any:
    for entry in _history(req, did):
        if str(entry["startTimestamp"]) == timestamp.strip():
            return _full(entry)
    raise not_found(f"Deployment {did} has no update started at {timestamp}")


@router.route("GET", BASE + "/{did}/last-update")
def last_update(req: Request, did: str) -> Any:
    history = _history(req, did)
    if not history:
        raise not_found(f"Deployment {did} was never updated")
    return _full(history[0])
