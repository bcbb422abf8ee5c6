"""Admin API: services, generations, activation and mappings."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from typing import Any, Iterator, Optional

import apinode_admin_cli.emulator.archives as archives
from apinode_admin_cli.atomicfile import fsync_dir
from apinode_admin_cli.emulator.endpoints import parse_endpoints
from apinode_admin_cli.emulator.errors import ApiError, bad_request, conflict, not_found
from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.store import ARCHIVE_FILE, now_ms
from apinode_admin_cli.emulator.validation import existing_path, validate_id, validate_mapping

router = Router()
OK = {"ok": True}


def service_not_found(service_id: str) -> ApiError:
    """The 404 for an unknown service."""
    return not_found(f"Service {service_id!r} not found")


def found(service: Optional[dict[str, Any]], service_id: str) -> dict[str, Any]:
    """The service record, else a 404 naming it."""
    if service is None:
        raise service_not_found(service_id)
    return service


def read_service(req: Request, service_id: str) -> dict[str, Any]:
    """A copy of one service's record (the others are not read), else a 404 naming it."""
    return found(req.app.store.read_service(validate_id(service_id)), service_id)


@contextlib.contextmanager
def changing(req: Request, service_id: str) -> Iterator[dict[str, Any]]:
    """A draft of one service, saved on normal exit; a 404 naming it when unknown."""
    with req.app.store.service_transaction(validate_id(service_id)) as service:
        yield found(service, service_id)


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
    record = {"enabled": True, "createdOn": now_ms(), "generations": {}, "mapping": None}
    if not req.app.store.create_service(service_id, record):
        raise conflict(f"Service {service_id!r} already exists")
    return OK


@router.route("GET", "services")
def list_services(req: Request) -> Any:
    # startAbortedReason is never set: the emulator starts every service it keeps.
    return [{"serviceId": sid, "enabled": on} for sid, on in req.app.store.list_services()]


@router.route("DELETE", "services/{sid}")
def delete_service(req: Request, sid: str) -> Any:
    found(req.app.store.delete_service(validate_id(sid)), sid)
    return OK


@router.route("GET", "services/{sid}/generations")
def list_generations(req: Request, sid: str) -> Any:
    service = read_service(req, sid)
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
    current = read_service(req, sid)  # a 404 before reading anything
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
    target_dir = store.generation_dir(sid, generation)
    target = target_dir / ARCHIVE_FILE
    placed = False
    try:
        archives.copy_archive(path, incoming)
        with changing(req, sid) as service:
            _check_new_generation(service, sid, generation)
            target_dir.mkdir(parents=True, exist_ok=True)
            placed = True
            os.replace(incoming, target)
            fsync_dir(target_dir)
            service["generations"][generation] = dict(
                record,
                createdOn=now_ms(),
                seq=1 + max((g["seq"] for g in service["generations"].values()), default=0),
                archive=target.relative_to(store.data_dir).as_posix(),
                sizeBytes=os.path.getsize(target),
            )
    except BaseException:
        # Whatever failed, no record refers to the copy nor to the generation's folder.
        with contextlib.suppress(OSError):
            incoming.unlink()
        if placed:
            shutil.rmtree(target_dir, ignore_errors=True)
        raise
    return {"ok": True, "generationId": generation}


@router.route("POST", "services/{sid}/generations/{gen}/preload")
def preload_generation(req: Request, sid: str, gen: str) -> Any:
    with changing(req, sid) as service:
        get_generation(service, sid, gen)["mounted"] = True
    return OK


def _set_enabled(req: Request, sid: str, enabled: bool) -> Any:
    with changing(req, sid) as service:
        service["enabled"] = enabled
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
    with changing(req, sid) as service:
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
    with changing(req, sid) as service:
        if not service["generations"]:
            raise bad_request(f"Service {sid!r} has no generation: import an archive first")
        newest = max(
            service["generations"].items(), key=lambda kv: (kv[1]["createdOn"], kv[1]["seq"])
        )[0]
        _activate(service, _single(newest))
    return {"switchedToGeneration": newest}


@router.route("POST", "services/{sid}/actions/switchTo/{gen}")
def switch_to(req: Request, sid: str, gen: str) -> Any:
    with changing(req, sid) as service:
        get_generation(service, sid, gen)
        _activate(service, _single(gen))
    return OK
