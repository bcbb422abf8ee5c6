"""The OpenAPI (v2) document a node publishes for a service's endpoints at ``.../swagger``."""

from __future__ import annotations

from typing import Any

from apinode_admin_cli.emulator.endpoints import VERBS, default_endpoint
from apinode_admin_cli.emulator.errors import ApiError

# What each call's body holds, for readers of the document (not a validation schema).
_BODIES = {
    "predict": ["features"],
    "predict-multi": ["items"],
    "predict-effect": ["features"],
    "predict-effect-multi": ["items"],
    "forecast": ["items"],
    "lookup": ["data"],
    "lookup-multi": ["items"],
}


def _current_generation(service: dict[str, Any], sid: str) -> str:
    entries = [
        e
        for e in (service.get("mapping") or {}).get("entries") or []
        if isinstance(e, dict) and isinstance(e.get("proba"), (int, float)) and e["proba"] > 0
    ]
    if not service["enabled"] or not entries:
        raise ApiError(503, f"Service {sid!r} has no active generation to document")
    # The largest share of the traffic; the first such entry on a tie.
    return str(max(entries, key=lambda e: e["proba"])["generation"])


def _operation(spec: dict[str, Any], verb: str) -> dict[str, Any]:
    fields = _BODIES.get(verb)
    schema: dict[str, Any] = {"type": "object"}
    if fields:
        schema["required"] = fields
    elif spec.get("params"):
        schema["required"] = list(spec["params"])
    return {
        "summary": f"{verb} on the {spec['type']} endpoint {spec['id']}",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "parameters": [{"in": "body", "name": "body", "required": True, "schema": schema}],
        "responses": {"200": {"description": "The endpoint's answer"}},
    }


def document(service: dict[str, Any], sid: str) -> dict[str, Any]:
    """The document of the endpoints of the generation that serves most of the traffic."""
    generation = _current_generation(service, sid)
    record = service["generations"].get(generation) or {}
    specs = record.get("endpointSpecs")
    if specs is None:
        specs = [default_endpoint(e) for e in record.get("endpoints") or []]
    paths = {
        f"/{spec['id']}/{verb}": {"post": _operation(spec, verb)}
        for spec in specs
        for verb in VERBS[spec["type"]]
    }
    doc: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": sid, "version": generation, "x-emulated": True},
        "basePath": f"/public/api/v1/{sid}",
        "schemes": ["http", "https"],
        "paths": paths,
    }
    if service.get("apiKeys") or record.get("apiKeys"):
        doc["securityDefinitions"] = {"apiKey": {"type": "basic"}}
        doc["security"] = [{"apiKey": []}]
    return doc
