"""Published services and their versions (uploaded packages, kept as files in the data dir)."""

from __future__ import annotations

import contextlib
import json
import os
import zipfile
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Optional

from apinode_admin_cli.atomicfile import fsync_dir
from apinode_admin_cli.emulator.deployer.common import (
    OK,
    check_id,
    exists_already,
    json_object,
    lookup,
    mapped_versions,
)
from apinode_admin_cli.emulator.deployer.handler import RawResponse
from apinode_admin_cli.emulator.deployer.store import now_ms
from apinode_admin_cli.emulator.errors import bad_request, conflict, not_found
from apinode_admin_cli.emulator.routes import Request, Router

router = Router()


def light_status(state: dict[str, Any], sid: str) -> dict[str, Any]:
    """A service's light status: basic info, versions, the deployments of it and their infras."""
    service = state["services"][sid]
    deployments = [
        (did, d) for did, d in sorted(state["deployments"].items()) if d["serviceId"] == sid
    ]
    infra_ids = sorted({d["settings"]["infraId"] for _, d in deployments})
    versions = sorted(service["versions"].items(), key=lambda kv: (kv[1]["seq"], kv[0]))
    return {
        "serviceBasicInfo": {
            "id": sid,
            "name": sid,
            "versionTag": {"lastModifiedOn": service["modifiedOn"]},
        },
        "packages": [
            {"id": vid, "publishedOn": v["publishedOn"], "sizeBytes": v["sizeBytes"]}
            for vid, v in versions
        ],
        "deployments": [
            {
                "id": did,
                "infraId": d["settings"]["infraId"],
                "enabled": d["settings"]["enabled"],
                "generationsMapping": d["settings"]["generationsMapping"],
            }
            for did, d in deployments
        ],
        "infras": [
            {"id": iid, "stage": state["infras"][iid]["settings"]["stage"]}
            for iid in infra_ids
            if iid in state["infras"]
        ],
        "canDeploy": True,
    }


@router.route("GET", "api-deployer/services")
def list_services(req: Request) -> Any:
    state = req.app.store.read()
    return [light_status(state, sid) for sid in sorted(state["services"])]


@router.route("POST", "api-deployer/services")
def create_service(req: Request) -> Any:
    body = json_object(req.json(), "service creation")
    sid = check_id(body.get("publishedServiceId"), "publishedServiceId")
    with req.app.store.transaction() as state:
        if sid in state["services"]:
            raise exists_already("services", sid)
        state["services"][sid] = {
            "createdOn": now_ms(),
            "modifiedOn": now_ms(),
            "seq": 0,
            "versions": {},
            "settings": {"owner": "admin", "permissions": []},
        }
    return {"id": sid}


@router.route("GET", "api-deployer/services/{sid}")
def get_service(req: Request, sid: str) -> Any:
    state = req.app.store.read()
    lookup(state, "services", sid)
    return light_status(state, sid)


@router.route("GET", "api-deployer/services/{sid}/settings")
def get_settings(req: Request, sid: str) -> Any:
    return lookup(req.app.store.read(), "services", sid)["settings"]


@router.route("PUT", "api-deployer/services/{sid}/settings")
def save_settings(req: Request, sid: str) -> Any:
    settings = json_object(req.json(), "service settings")
    permissions = settings.get("permissions", [])
    if not isinstance(permissions, list) or not all(isinstance(p, dict) for p in permissions):
        raise bad_request("Invalid permissions: expected a list of objects")
    with req.app.store.transaction() as state:
        service = lookup(state, "services", sid)
        service["settings"] = settings
        service["modifiedOn"] = now_ms()
    return OK


@router.route("DELETE", "api-deployer/services/{sid}")
def delete_service(req: Request, sid: str) -> Any:
    store = req.app.store
    with store.transaction() as state:
        lookup(state, "services", sid)
        users = sorted(did for did, d in state["deployments"].items() if d["serviceId"] == sid)
        if users:
            raise conflict(
                f"Published service {sid} cannot be deleted: "
                f"deployments use it ({', '.join(users)})"
            )
        del state["services"][sid]
    folder = store.version_path(sid, "x").parent
    for leftover in folder.glob("*") if folder.exists() else []:
        with contextlib.suppress(OSError):
            leftover.unlink()
    with contextlib.suppress(OSError):
        folder.rmdir()
    return OK


def _uploaded_file(req: Request) -> tuple[Optional[str], bytes]:
    """The file name and bytes of the multipart part named ``file``, else a 400."""
    content_type = next((v for k, v in req.headers.items() if k.lower() == "content-type"), "")
    if "multipart/form-data" not in content_type.lower():
        raise bad_request("Expected a multipart/form-data upload with a part named 'file'")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + req.body
    )
    if not message.is_multipart():
        raise bad_request("Malformed multipart body")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            data = part.get_payload(decode=True)
            return part.get_filename(), data if isinstance(data, bytes) else b""
    raise bad_request("Missing the multipart part named 'file' (the package archive)")


def read_package(path: str, filename: Optional[str]) -> tuple[str, dict[str, Any]]:
    """The version a package holds (its manifest's ``version``, else the file name minus .zip)
    and its manifest (empty when it has none)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            manifest = json.loads(archive.read("manifest.json")) if "manifest.json" in names else {}
    except (zipfile.BadZipFile, OSError, EOFError):
        raise bad_request(f"The uploaded file {filename or ''} is not a package (not a zip file)")
    except (ValueError, RecursionError):
        raise bad_request("The package's manifest.json is not valid JSON")
    manifest = manifest if isinstance(manifest, dict) else {}
    version = manifest.get("version")
    if isinstance(version, str) and version:
        return check_id(version, "version id"), manifest
    name = os.path.basename(filename or "")
    name = name[:-4] if name.lower().endswith(".zip") else name
    if not name:
        raise bad_request("Cannot tell the version: no manifest.json version and no file name")
    return check_id(name, "version id"), manifest


@router.route("POST", "api-deployer/services/{sid}/versions")
def upload_version(req: Request, sid: str) -> Any:
    store = req.app.store
    if store.read_part("services", sid) is None:
        lookup({"services": {}}, "services", sid)
    filename, data = _uploaded_file(req)
    incoming = store.incoming_path()
    try:
        with open(incoming, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        version, manifest = read_package(str(incoming), filename)
        endpoints, tests = manifest.get("endpoints"), manifest.get("testQueries")
        target = store.version_path(sid, version)
        with store.transaction() as state:
            service = lookup(state, "services", sid)
            if version in service["versions"]:
                raise conflict(f"Version {version} already exists in published service {sid}")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(incoming, target)
            fsync_dir(target.parent)
            service["seq"] += 1
            service["modifiedOn"] = now_ms()
            service["versions"][version] = {
                "publishedOn": now_ms(),
                "seq": service["seq"],
                "sizeBytes": len(data),
                "file": str(target.relative_to(store.data_dir)),
                "endpoints": declared_endpoints(endpoints),
                "testQueries": tests if isinstance(tests, (list, dict)) else None,
            }
    finally:
        with contextlib.suppress(OSError):
            incoming.unlink()
    return {"id": version}


def declared_endpoints(value: Any) -> list[dict[str, str]]:
    """The endpoints a manifest declares, as ``{id, type}``: a plain id is a prediction."""
    found = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            found.append({"id": item, "type": "STD_PREDICTION"})
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            kind = item.get("type")
            found.append(
                {"id": item["id"], "type": kind if isinstance(kind, str) else "STD_PREDICTION"}
            )
    return found


def _version(state: dict[str, Any], sid: str, vid: str) -> dict[str, Any]:
    service = lookup(state, "services", sid)
    record: Optional[dict[str, Any]] = service["versions"].get(vid)
    if record is None:
        raise not_found(f"Version {vid} does not exist in published service {sid}")
    return record


@router.route("GET", "api-deployer/services/{sid}/versions/{vid}")
def download_version(req: Request, sid: str, vid: str) -> Any:
    record = _version(req.app.store.read(), sid, vid)
    data = (req.app.store.data_dir / record["file"]).read_bytes()
    disposition = {"Content-Disposition": f'attachment; filename="{vid}.zip"'}
    return RawResponse(data, "application/zip", disposition)


@router.route("DELETE", "api-deployer/services/{sid}/versions/{vid}")
def delete_version(req: Request, sid: str, vid: str) -> Any:
    store = req.app.store
    with store.transaction() as state:
        record = _version(state, sid, vid)
        users = sorted(
            did
            for did, d in state["deployments"].items()
            if d["serviceId"] == sid
            and vid
            in mapped_versions(d["settings"]["generationsMapping"])
            | mapped_versions((d.get("deployed") or {}).get("generationsMapping"))
        )
        if users:
            raise conflict(
                f"Version {vid} cannot be deleted: deployments use it ({', '.join(users)})"
            )
        del state["services"][sid]["versions"][vid]
    with contextlib.suppress(OSError):
        (store.data_dir / record["file"]).unlink()
    return OK
