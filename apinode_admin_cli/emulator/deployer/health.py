"""A deployment's heavy status: health computed from what its nodes really serve, right now."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

import apinode_admin_cli.emulator.deployer.nodes as node_api
from apinode_admin_cli.emulator.deployer.common import lookup, mapped_versions

MAX_CHECKS_AT_ONCE = 8


def _shares(mapping: dict[str, Any]) -> dict[str, float]:
    return {e["generation"]: float(e["proba"]) for e in mapping["entries"] if e["proba"] > 0}


def _same(left: dict[str, float], right: dict[str, float]) -> bool:
    return set(left) == set(right) and all(
        math.isclose(left[g], right[g], abs_tol=1e-6) for g in left
    )


def check_node(
    node: node_api.Node, service_id: str, expected: Optional[dict[str, Any]]
) -> dict[str, Any]:
    """One node's row: what it serves for the service and whether that is what was deployed."""
    row: dict[str, Any] = {"url": node.url}
    try:
        seen = node_api.observe(node, service_id)
    except node_api.NodeError as exc:
        status = "UNREACHABLE" if not exc.reachable else "ERROR"
        return dict(row, status=status, message=str(exc))
    if seen is None:
        row.update(status="OUT_OF_SYNC", serving=None, message=f"service {service_id} is absent")
        return row
    row.update(enabled=seen["enabled"], serving=seen["shares"])
    if expected is None:
        return dict(row, status="UNKNOWN", message="the deployment was never deployed")
    problems = []
    if not _same(seen["shares"], _shares(expected["mapping"])):
        entries = [{"generation": g, "proba": p} for g, p in sorted(seen["shares"].items())]
        shown = node_api.describe({"entries": entries}) if entries else "nothing"
        problems.append(f"serves {shown} instead of {node_api.describe(expected['mapping'])}")
    if seen["enabled"] != expected["enabled"]:
        problems.append("service is " + ("enabled" if seen["enabled"] else "disabled"))
    if problems:
        return dict(row, status="OUT_OF_SYNC", message="; ".join(problems))
    try:
        alive = node.alive()
    except node_api.NodeError as exc:
        return dict(row, status="UNREACHABLE", message=str(exc))
    if not alive:
        # The node serves, but a load balancer in front of it sends it nothing.
        message = "/isAlive/ fails: the node is out of its load balancer (drained?)"
        return dict(row, status="NOT_ALIVE", message=message)
    return dict(row, status="OK")


def _message(severity: str, code: str, title: str, details: str = "") -> dict[str, Any]:
    return {
        "severity": severity,
        "isFatal": severity == "ERROR",
        "code": code,
        "title": title,
        "message": title,
        "details": details,
    }


def info_messages(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The InfoMessages container DSS uses for health and governance messages."""
    order = ["SUCCESS", "INFO", "WARNING", "ERROR"]
    severities = {m["severity"] for m in messages}
    top = max(severities, key=order.index) if severities else None
    return {
        "messages": messages,
        "anyMessage": bool(messages),
        "error": "ERROR" in severities,
        "warning": "WARNING" in severities,
        "success": "SUCCESS" in severities,
        "maxSeverity": top,
    }


def _health(
    deployment: dict[str, Any], rows: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    last = deployment.get("lastUpdate") or {}
    deployed = deployment.get("deployed")
    settings = deployment["settings"]
    bad = [r for r in rows if r["status"] not in ("OK", "NOT_ALIVE")]
    drained = [r for r in rows if r["status"] == "NOT_ALIVE"]
    if last.get("status") in ("FAILED", "ABORTED"):
        return "ERROR", [
            _message(
                "ERROR",
                "ERR_DEPLOYMENT_UPDATE_FAILED",
                "The last update failed",
                last.get("message", ""),
            )
        ]
    if deployed is None:
        return "UNKNOWN", [_message("INFO", "INFO_NEVER_DEPLOYED", "Never deployed: run an update")]
    unreachable = [r for r in bad if r["status"] in ("UNREACHABLE", "ERROR")]
    if unreachable:
        return "UNHEALTHY", [
            _message(
                "ERROR",
                "ERR_API_NODE_UNREACHABLE",
                f"API node {r['url']} cannot be checked",
                r["message"],
            )
            for r in unreachable
        ]
    if bad:
        return "OUT_OF_SYNC", [
            _message(
                "WARNING",
                "WARN_API_NODE_OUT_OF_SYNC",
                f"API node {r['url']} is out of sync",
                r["message"],
            )
            for r in bad
        ]
    if settings["generationsMapping"] != deployed["generationsMapping"] or bool(
        settings.get("enabled", True)
    ) != bool(deployed["enabled"]):
        return "OUT_OF_SYNC", [
            _message(
                "WARNING",
                "WARN_SETTINGS_NOT_DEPLOYED",
                "The settings changed since the last update: run an update",
            )
        ]
    if drained:
        return "WARNING", [
            _message(
                "WARNING",
                "WARN_API_NODE_NOT_ALIVE",
                f"API node {r['url']} is not alive",
                r["message"],
            )
            for r in drained
        ]
    if not deployed["enabled"]:
        return "HEALTHY", [
            _message(
                "INFO", "INFO_DISABLED", "The deployment is disabled: its nodes do not serve it"
            )
        ]
    return "HEALTHY", []


def heavy_status(app: Any, did: str) -> dict[str, Any]:
    """The heavy status of a deployment, checking every node now (concurrently, bounded)."""
    state = app.store.read()
    deployment = lookup(state, "deployments", did)
    infra = lookup(state, "infras", deployment["settings"]["infraId"])["settings"]
    service_id = deployment["serviceId"]
    deployed = deployment.get("deployed")
    if infra["type"] == "K8S":
        targets = list(app.k8s.nodes(did))
    else:
        timeout = node_api.CHECK_TIMEOUT_S
        targets = [*node_api.Node.of_infra(infra, timeout)]
    if targets:
        with ThreadPoolExecutor(max_workers=min(MAX_CHECKS_AT_ONCE, len(targets))) as pool:
            rows = list(pool.map(lambda n: check_node(n, service_id, deployed), targets))
    else:
        rows = []
    health, messages = _health(deployment, rows)
    status: dict[str, Any] = {
        "deploymentId": did,
        "health": health,
        "healthMessages": info_messages(messages),
        "endpoints": _endpoints(state["services"].get(service_id), deployed),
        "currentGenerationsMapping": (deployed or {}).get("generationsMapping"),
        "lastUpdate": deployment.get("lastUpdate"),
    }
    if infra["type"] == "K8S":
        public = app.k8s.public_url(did)
        if public is not None:
            status["publicURL"] = public
        status["replicas"] = rows
    else:
        status["apiNodes"] = rows
    return status


def _endpoints(
    service: Optional[dict[str, Any]], deployed: Optional[dict[str, Any]]
) -> list[dict[str, Any]]:
    if service is None or deployed is None:
        return []
    found: dict[str, dict[str, Any]] = {}
    for version in sorted(mapped_versions(deployed["generationsMapping"])):
        for endpoint in service["versions"].get(version, {}).get("endpoints", []):
            found.setdefault(endpoint["id"], endpoint)
    return list(found.values())
