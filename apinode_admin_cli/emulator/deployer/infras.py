"""Stages, instance info and infrastructures (STATIC node lists and emulated Kubernetes)."""

from __future__ import annotations

import copy
from typing import Any

from apinode_admin_cli import __version__
from apinode_admin_cli.emulator.deployer.common import (
    OK,
    check_id,
    check_node_url,
    exists_already,
    json_object,
    lookup,
)
from apinode_admin_cli.emulator.deployer.store import now_ms, sealed
from apinode_admin_cli.emulator.errors import bad_request, conflict
from apinode_admin_cli.emulator.routes import Request, Router

router = Router()
TYPES = ("STATIC", "K8S")
GOVERN_POLICIES = ("PREVENT", "WARN", "NO_CHECK")
DEFAULT_REPLICAS = 2
MAX_REPLICAS = 8


@router.route("GET", "instance-info")
def instance_info(req: Request) -> Any:
    return {
        "nodeId": "deployer-emulator",
        "nodeName": "API Deployer emulator",
        "nodeType": "DEPLOYER",
        "rawNodeType": "DEPLOYER",
        "dssVersion": f"14.0.0-emulator ({__version__})",
        "emulated": True,
    }


@router.route("GET", "api-deployer/stages")
def list_stages(req: Request) -> Any:
    return req.app.store.read()["stages"]


def light_status(state: dict[str, Any], iid: str) -> dict[str, Any]:
    """An infra's light status: basic info and the deployments on it."""
    settings = state["infras"][iid]["settings"]
    basic = {
        "id": iid,
        "type": settings["type"],
        "stage": settings["stage"],
        "carbonAPIEnabled": False,
    }
    if settings["type"] == "STATIC":
        basic["apiNodeUrls"] = [n["url"] for n in settings.get("apiNodes") or []]
    return {
        "infraBasicInfo": basic,
        "deployments": [
            {"id": did, "enabled": d["settings"]["enabled"], "publishedServiceId": d["serviceId"]}
            for did, d in sorted(state["deployments"].items())
            if d["settings"]["infraId"] == iid
        ],
        "isAdmin": True,
        "canDeploy": True,
    }


@router.route("GET", "api-deployer/infras")
def list_infras(req: Request) -> Any:
    state = req.app.store.read()
    return [light_status(state, iid) for iid in sorted(state["infras"])]


def _check_stage(state: dict[str, Any], stage: Any) -> str:
    known = [s["id"] for s in state["stages"]]
    if stage not in known:
        raise bad_request(f"Invalid stage {stage!r}: the stages are {', '.join(known)}")
    return str(stage)


@router.route("POST", "api-deployer/infras")
def create_infra(req: Request) -> Any:
    body = json_object(req.json(), "infrastructure creation")
    iid = check_id(body.get("id"), "infrastructure id")
    kind = body.get("type")
    if kind not in TYPES:
        raise bad_request(
            f"Invalid infrastructure type {kind!r}: the emulator runs {' and '.join(TYPES)}"
        )
    policy = body.get("governCheckPolicy") or "NO_CHECK"
    if policy not in GOVERN_POLICIES:
        raise bad_request(f"Invalid governCheckPolicy {policy!r}: {', '.join(GOVERN_POLICIES)}")
    with req.app.store.transaction() as state:
        stage = _check_stage(state, body.get("stage"))
        if iid in state["infras"]:
            raise exists_already("infras", iid)
        settings: dict[str, Any] = {
            "id": iid,
            "type": kind,
            "stage": stage,
            "governCheckPolicy": policy,
            "permissions": [],
        }
        if kind == "STATIC":
            settings["apiNodes"] = []
        else:
            settings["replicas"] = DEFAULT_REPLICAS
        state["infras"][iid] = {"createdOn": now_ms(), "settings": settings}
    return {"id": iid}


@router.route("GET", "api-deployer/infras/{iid}")
def get_infra(req: Request, iid: str) -> Any:
    state = req.app.store.read()
    lookup(state, "infras", iid)
    return light_status(state, iid)


def shown_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings as a GET shows them: admin keys sealed, as DSS returns them encrypted."""
    shown = copy.deepcopy(settings)
    for node in shown.get("apiNodes") or []:
        if node.get("adminAPIKey"):
            node["adminAPIKey"] = sealed(node["adminAPIKey"])
    return shown


@router.route("GET", "api-deployer/infras/{iid}/settings")
def get_settings(req: Request, iid: str) -> Any:
    return shown_settings(lookup(req.app.store.read(), "infras", iid)["settings"])


def _nodes(given: Any, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not isinstance(given, list):
        raise bad_request("Invalid apiNodes: expected a list of {url, adminAPIKey}")
    # A sealed key sent back (get, add a node, save) stands for the key it seals.
    unsealed = {sealed(n["adminAPIKey"]): n["adminAPIKey"] for n in current if n.get("adminAPIKey")}
    nodes, urls = [], set()
    for position, node in enumerate(given):
        if not isinstance(node, dict):
            raise bad_request(f"Invalid apiNodes[{position}]: expected an object")
        url = check_node_url(node.get("url"), position)
        if url in urls:
            raise bad_request(f"Invalid apiNodes: {url} is listed twice")
        urls.add(url)
        key = node.get("adminAPIKey")
        if not isinstance(key, str) or not key:
            raise bad_request(f"Invalid apiNodes[{position}].adminAPIKey: expected the node's key")
        nodes.append(dict(node, url=url, adminAPIKey=unsealed.get(key, key)))
    return nodes


@router.route("PUT", "api-deployer/infras/{iid}/settings")
def save_settings(req: Request, iid: str) -> Any:
    given = json_object(req.json(), "infrastructure settings")
    with req.app.store.transaction() as state:
        infra = lookup(state, "infras", iid)
        current = infra["settings"]
        for fixed in ("id", "type"):
            if fixed in given and given[fixed] != current[fixed]:
                raise bad_request(f"Invalid settings: {fixed} cannot change ({current[fixed]})")
        settings = dict(given, id=iid, type=current["type"])
        settings["stage"] = _check_stage(state, given.get("stage", current["stage"]))
        if current["type"] == "STATIC":
            settings["apiNodes"] = _nodes(given.get("apiNodes", []), current.get("apiNodes", []))
        else:
            replicas = given.get("replicas", current.get("replicas", DEFAULT_REPLICAS))
            if isinstance(replicas, bool) or replicas not in range(1, MAX_REPLICAS + 1):
                raise bad_request(f"Invalid replicas {replicas!r}: from 1 to {MAX_REPLICAS}")
            settings["replicas"] = replicas
        infra["settings"] = settings
    return OK


@router.route("DELETE", "api-deployer/infras/{iid}")
def delete_infra(req: Request, iid: str) -> Any:
    with req.app.store.transaction() as state:
        lookup(state, "infras", iid)
        users = sorted(
            did for did, d in state["deployments"].items() if d["settings"]["infraId"] == iid
        )
        if users:
            raise conflict(
                f"Infrastructure {iid} cannot be deleted: deployments use it ({', '.join(users)})"
            )
        del state["infras"][iid]
    return OK
