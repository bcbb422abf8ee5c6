"""Queries through the deployer: test queries sent to a deployment's nodes over their user API."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any, Optional
from urllib.parse import quote

from apinode_admin_cli.emulator.deployer.common import lookup
from apinode_admin_cli.emulator.deployer.nodes import opener
from apinode_admin_cli.emulator.errors import bad_request
from apinode_admin_cli.emulator.routes import Request, Router

router = Router()
BASE = "api-deployer/deployments"
QUERY_TIMEOUT_S = 30.0
MAX_QUERIES = 100
# The user API verb of each endpoint type (predictions by default).
VERBS = {
    "PY_FUNCTION": "run",
    "R_FUNCTION": "run",
    "SQL_QUERY": "query",
    "DATASETS_LOOKUP": "lookup",
    "STD_FORECAST": "forecast",
    "STD_CAUSAL_PREDICTION": "predict-effect",
}


def _queries(raw: Optional[str], stored: Any) -> list[dict[str, Any]]:
    if raw is None or raw == "":
        if not stored:
            raise bad_request("No test queries given, and the deployed version stores none")
        items = stored
    else:
        try:
            items = json.loads(raw)
        except ValueError as exc:
            raise bad_request(f"Invalid test queries: not JSON ({exc})")
    if not isinstance(items, list) or not items:
        raise bad_request('Invalid test queries: expected a list like [{"q": {...}}]')
    if len(items) > MAX_QUERIES:
        raise bad_request(f"Too many test queries: {len(items)} (at most {MAX_QUERIES})")
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("q"), dict):
            raise bad_request(f"Invalid test query {position}: expected an object with 'q'")
        headers = item.get("headers", [])
        if not isinstance(headers, list) or not all(
            isinstance(h, dict) and isinstance(h.get("key"), str) for h in headers
        ):
            raise bad_request(f"Invalid test query {position}: headers are [{{key, value}}]")
    return items


def _endpoint(given: Optional[str], endpoints: list[dict[str, Any]]) -> dict[str, Any]:
    if given:
        for endpoint in endpoints:
            if endpoint["id"] == given:
                return endpoint
        if endpoints:
            known = ", ".join(e["id"] for e in endpoints)
            raise bad_request(f"Unknown endpoint {given}: the deployed version has {known}")
        return {"id": given, "type": "STD_PREDICTION"}  # a package that declares none
    if len(endpoints) == 1:
        return endpoints[0]
    known = ", ".join(e["id"] for e in endpoints) or "none declared"
    raise bad_request(f"Say which endpoint to query (endpoints: {known})")


def _send(url: str, item: dict[str, Any], verify: bool) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(item["q"]).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    for header in item.get("headers", []):
        request.add_header(header["key"], str(header.get("value", "")))
    started = time.monotonic()
    try:
        with opener(verify).open(request, timeout=QUERY_TIMEOUT_S) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return {"ok": False, "status": 0, "error": f"cannot reach the node: {reason}"}
    row: dict[str, Any] = {
        "ok": status < 400,
        "status": status,
        "timing": int((time.monotonic() - started) * 1000),
    }
    try:
        row["response"] = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        row["response"] = raw.decode("utf-8", "replace")[:2000]
    return row


def _run(req: Request, did: str, endpoint_id: Optional[str], raw: Optional[str]) -> Any:
    app = req.app
    state = app.store.read()
    deployment = lookup(state, "deployments", did)
    deployed = deployment.get("deployed")
    if deployed is None:
        raise bad_request(f"Deployment {did} was never deployed: run an update first")
    infra = lookup(state, "infras", deployment["settings"]["infraId"])["settings"]
    service = state["services"].get(deployment["serviceId"]) or {"versions": {}}
    versions = [
        service["versions"].get(e["generation"], {}) for e in deployed["mapping"]["entries"]
    ]
    endpoints: list[dict[str, Any]] = []
    for version in versions:
        endpoints += [e for e in version.get("endpoints", []) if e not in endpoints]
    endpoint = _endpoint(endpoint_id, endpoints)
    stored = next((v.get("testQueries") for v in versions if v.get("testQueries")), None)
    if isinstance(stored, dict):
        stored = stored.get(endpoint["id"])
    items = _queries(raw, stored)
    if infra["type"] == "K8S":
        bases = [u for u in [app.k8s.public_url(did)] if u]
    else:
        bases = [n["url"] for n in infra.get("apiNodes") or []]
    if not bases:
        raise bad_request(f"Deployment {did} has no node to query")
    verb = VERBS.get(endpoint["type"], "predict")
    verify = not infra.get("trustAllCertificates")
    service_id, endpoint_id = (
        quote(deployment["serviceId"], safe=""),
        quote(endpoint["id"], safe=""),
    )
    path = f"/public/api/v1/{service_id}/{endpoint_id}/{verb}"
    responses = []
    for item in items:
        row = {}
        for base in bases:  # the first node that answers serves the query
            row = dict(_send(base + path, item, verify), node=base)
            if row["status"]:
                break
        responses.append(row)
    return {
        "endpointId": endpoint["id"],
        "responses": responses,
        "nbQueries": len(responses),
        "nbFailed": sum(1 for r in responses if not r["ok"]),
    }


@router.route("POST", BASE + "/{did}/actions/run-test-queries")
def run_test_queries(req: Request, did: str) -> Any:
    return _run(req, did, req.query.get("endpointIdParam"), req.query.get("testQueriesParam"))


@router.route("POST", BASE + "/{did}/actions/run-queries")
def run_queries(req: Request, did: str) -> Any:
    if not req.query.get("queries"):
        raise bad_request("Missing query parameter 'queries' (a JSON list of queries)")
    return _run(req, did, req.query.get("endpointId"), req.query.get("queries"))
