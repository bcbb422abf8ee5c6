"""Admin API: services, generations, activation and mappings."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from typing import Any, Optional

from apinode_admin_cli.atomicfile import fsync_dir
from apinode_admin_cli.emulator import archives
from apinode_admin_cli.emulator.endpoints import parse_endpoints
from apinode_admin_cli.emulator.errors import ApiError, bad_request, conflict, not_found
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.store import now_ms, safe_name
from apinode_admin_cli.emulator.validation import existing_path, validate_id, validate_mapping

router = Router()
OK = {"ok": True}


def service_not_found(service_id: str) -> ApiError:
    """The 404 for an unknown service."""
    return not_found(f"Service {service_id!r} not found")


def get_service(state: dict[str, Any], service_id: str) -> dict[str, Any]:
    """The service record, else a 404 naming it."""
    validate_id(service_id)
    service: Optional[dict[str, Any]] = state["services"].get(service_id)
    if service is None:
        raise service_not_found(service_id)
    return service


def get_generation(service: dict[str, Any], service_id: str, generation: str) -> dict[str, Any]:
    """The generation record, else a 404 naming it."""
    validate_id(generation, "generation id")
    record: Optional[dict[str, Any]] = service["generations"].get(generation)
    if record is None:
        raise not_found(f"Generation {generation!r} not found in service {service_id!r}")
    return record


def mapped_share(mapping: Any, generation: str) -> float:
    """The share of traffic the mapping sends to ``generation`` (0 when it is not mapped)."""
    if not isinstance(mapping, dict):
        return 0.0
    return float(
        sum(
            e.get("proba", 0)
            for e in mapping.get("entries") or []
            if isinstance(e, dict) and e.get("generation") == generation
        )
    )


@router.route("POST", "services")
def create_service(req: Request) -> Any:
    body = req.json()
    if not isinstance(body, dict) or "serviceId" not in body:
        raise bad_request('Invalid body: expected {"serviceId": "..."}')
    service_id = validate_id(body["serviceId"])
    with req.app.store.transaction() as state:
        if service_id in state["services"]:
            raise conflict(f"Service {service_id!r} already exists")
        state["services"][service_id] = {
            "enabled": True,
            "createdOn": now_ms(),
            "generations": {},
            "mapping": None,
        }
    return OK


@router.route("GET", "services")
def list_services(req: Request) -> Any:
    services = req.app.store.read()["services"]
    # startAbortedReason is never set: the emulator starts every service it keeps.
    return [{"serviceId": sid, "enabled": services[sid]["enabled"]} for sid in sorted(services)]


@router.route("DELETE", "services/{sid}")
def delete_service(req: Request, sid: str) -> Any:
    store = req.app.store
    with store.lock:
        with store.transaction() as state:
            get_service(state, sid)
            del state["services"][sid]
        # Only once the state no longer points at them: a crash here leaves orphan files only.
        shutil.rmtree(store.archive_dir(sid), ignore_errors=True)
    return OK


@router.route("GET", "services/{sid}/generations")
def list_generations(req: Request, sid: str) -> Any:
    service = get_service(req.app.store.read(), sid)
    items = sorted(service["generations"].items(), key=lambda kv: (kv[1]["seq"], kv[0]))
    return {
        "generations": [
            {
                "generationId": gen_id,
                "createdOn": gen["createdOn"],
                "mounted": gen["mounted"],
                "mapped": mapped_share(service["mapping"], gen_id),
            }
            for gen_id, gen in items
        ]
    }


def _check_new_generation(service: dict[str, Any], sid: str, generation: str) -> None:
    if generation in service["generations"]:
        raise conflict(f"Generation {generation!r} already exists in service {sid!r}")


@router.route("POST", "services/{sid}/generations/actions/importFromArchive")
def import_generation(req: Request, sid: str) -> Any:
    path = existing_path(req.query, "filePath", "file")
    store = req.app.store
    current = store.read_service(validate_id(sid))
    if current is None:
        raise service_not_found(sid)  # a 404 before reading anything
    manifest = archives.read_manifest(path)
    generation = archives.generation_id(manifest, path)
    endpoints = parse_endpoints(manifest, path)
    _check_new_generation(current, sid, generation)  # a 409 before copying; checked again below
    record = {
        "mounted": False,
        "sourcePath": path,
        "codeEnvs": archives.str_list(manifest.get("codeEnvs")),
        "endpoints": [spec["id"] for spec in endpoints],
        "endpointSpecs": endpoints,
        "apiKeys": archives.manifest_keys(manifest, path),
        "errorRate": archives.error_rate(manifest, path),
    }
    # The copy, the slow part, runs without the state lock that every request takes.
    incoming = store.incoming_dir() / f"{secrets.token_hex(8)}.zip"
    target_dir = store.archive_dir(sid)
    target = target_dir / f"{safe_name(generation)}-{secrets.token_hex(4)}.zip"
    try:
        archives.copy_archive(path, incoming)
        with store.transaction() as state:
            service = get_service(state, sid)
            _check_new_generation(service, sid, generation)
            target_dir.mkdir(parents=True, exist_ok=True)
            os.replace(incoming, target)
            fsync_dir(target_dir)
            state["importSeq"] += 1
            service["generations"][generation] = dict(
                record,
                createdOn=now_ms(),
                seq=state["importSeq"],
                archive=str(target.relative_to(store.data_dir)),
                sizeBytes=os.path.getsize(target),
            )
    except BaseException:
        # Whatever failed, the state does not refer to either file.
        for leftover in (incoming, target):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise
    return {"ok": True, "generationId": generation}


@router.route("POST", "services/{sid}/generations/{gen}/preload")
def preload_generation(req: Request, sid: str, gen: str) -> Any:
    with req.app.store.transaction() as state:
        service = get_service(state, sid)
        get_generation(service, sid, gen)["mounted"] = True
    return OK


def _set_enabled(req: Request, sid: str, enabled: bool) -> Any:
    with req.app.store.transaction() as state:
        get_service(state, sid)["enabled"] = enabled
    return OK


@router.route("POST", "services/{sid}/actions/enable")
def enable_service(req: Request, sid: str) -> Any:
    return _set_enabled(req, sid, True)


@router.route("POST", "services/{sid}/actions/disable")
def disable_service(req: Request, sid: str) -> Any:
    return _set_enabled(req, sid, False)


@router.route("POST", "services/{sid}/actions/setMapping")
def set_mapping(req: Request, sid: str) -> Any:
    mapping = req.json()
    with req.app.store.transaction() as state:
        service = get_service(state, sid)
        validate_mapping(mapping, set(service["generations"]))
        _activate(service, mapping)
    return OK


def _single(generation: str) -> dict[str, Any]:
    return {"entries": [{"generation": generation, "proba": 1.0}]}


def _activate(service: dict[str, Any], mapping: dict[str, Any]) -> None:
    """Enable the service with ``mapping``; a generation given traffic is loaded (mounted)."""
    service["mapping"] = mapping
    service["enabled"] = True
    for gen_id, generation in service["generations"].items():
        if mapped_share(mapping, gen_id) > 0:
            generation["mounted"] = True


@router.route("POST", "services/{sid}/actions/switchToNewest")
def switch_to_newest(req: Request, sid: str) -> Any:
    with req.app.store.transaction() as state:
        service = get_service(state, sid)
        if not service["generations"]:
            raise bad_request(f"Service {sid!r} has no generation: import an archive first")
        newest = max(
            service["generations"].items(), key=lambda kv: (kv[1]["createdOn"], kv[1]["seq"])
        )[0]
        _activate(service, _single(newest))
    return {"switchedToGeneration": newest}


@router.route("POST", "services/{sid}/actions/switchTo/{gen}")
def switch_to(req: Request, sid: str, gen: str) -> Any:
    with req.app.store.transaction() as state:
        service = get_service(state, sid)
        get_generation(service, sid, gen)
        _activate(service, _single(gen))
    return OK
