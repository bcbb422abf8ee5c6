"""Admin API: code env and model caches, and clean-unused."""

from __future__ import annotations

import contextlib
import os
import shutil
from typing import Any, Optional

from apinode_admin_cli.emulator.routes import Request, Router
from apinode_admin_cli.emulator.store import now_ms
from apinode_admin_cli.emulator.validation import existing_path, parse_language

router = Router()


def _record_code_env(
    req: Request, file_dir: str, language: str, built_dir: Optional[str]
) -> dict[str, Any]:
    entry = {
        "name": os.path.basename(os.path.normpath(file_dir)),
        "language": language,
        "kind": "registered" if built_dir else "imported",
        "fileDir": file_dir,
        "builtEnvDir": built_dir,
        "importedOn": now_ms(),
    }
    with req.app.store.transaction() as state:
        before = len(state["codeEnvs"])
        state["codeEnvs"] = [
            e
            for e in state["codeEnvs"]
            if (e["name"], e["language"]) != (entry["name"], entry["language"])
        ]
        replaced = len(state["codeEnvs"]) != before
        state["codeEnvs"].append(entry)
    return {"ok": True, "codeEnv": entry, "replaced": replaced}


@router.route("POST", "cached-code-envs")
def import_code_env(req: Request) -> Any:
    file_dir = existing_path(req.query, "fileDir", "dir")
    language = parse_language(req.query.get("language"))
    return _record_code_env(req, file_dir, language, None)


@router.route("POST", "register-global-code-env")
def register_code_env(req: Request) -> Any:
    exported = existing_path(req.query, "exportedEnvDir", "dir")
    built = existing_path(req.query, "builtEnvDir", "dir")
    language = parse_language(req.query.get("language"))
    return _record_code_env(req, exported, language, built)


def _used_code_envs(state: dict[str, Any]) -> set[str]:
    return {
        name
        for service in state["services"].values()
        for generation in service["generations"].values()
        for name in generation.get("codeEnvs", [])
    }


def _drop_unused_code_envs(state: dict[str, Any]) -> list[dict[str, str]]:
    used = _used_code_envs(state)
    dropped = [e for e in state["codeEnvs"] if e["name"] not in used]
    state["codeEnvs"] = [e for e in state["codeEnvs"] if e["name"] in used]
    return [{"name": e["name"], "language": e["language"]} for e in dropped]


@router.route("DELETE", "cached-code-envs")
def clean_code_env_cache(req: Request) -> Any:
    with req.app.store.transaction() as state:
        deleted = _drop_unused_code_envs(state)
        kept = [{"name": e["name"], "language": e["language"]} for e in state["codeEnvs"]]
    return {"ok": True, "deletedCodeEnvs": deleted, "keptCodeEnvs": kept}


@router.route("POST", "model-cache")
def import_model(req: Request) -> Any:
    path = existing_path(req.query, "modelArchivePath", "file")
    entry = {
        "name": os.path.basename(path),
        "archivePath": path,
        "sizeBytes": os.path.getsize(path),
        "importedOn": now_ms(),
    }
    with req.app.store.transaction() as state:
        state["modelCache"] = [m for m in state["modelCache"] if m["archivePath"] != path]
        state["modelCache"].append(entry)
    return {"ok": True, "model": entry}


@router.route("DELETE", "model-cache")
def clear_model_cache(req: Request) -> Any:
    with req.app.store.transaction() as state:
        count = len(state["modelCache"])
        state["modelCache"] = []
    return {"ok": True, "deletedModels": count}


@router.route("DELETE", "services-clean-unused")
def clean_unused(req: Request) -> Any:
    store = req.app.store
    with store.lock:  # so a concurrent re-creation cannot lose its files to the cleanup
        return _clean_unused(store)


def _clean_unused(store: Any) -> dict[str, Any]:
    archives: list[str] = []
    with store.transaction() as state:
        services = state["services"]
        deleted_services = sorted(sid for sid, s in services.items() if not s["enabled"])
        for sid in deleted_services:
            archives.extend(g["archive"] for g in services.pop(sid)["generations"].values())
        deleted_generations = []
        for sid in sorted(services):
            service = services[sid]
            for gen_id in sorted(service["generations"]):
                in_mapping = any(
                    isinstance(e, dict) and e.get("generation") == gen_id
                    for e in (service["mapping"] or {}).get("entries", [])
                )
                if not in_mapping:
                    archives.append(service["generations"].pop(gen_id)["archive"])
                    deleted_generations.append({"serviceId": sid, "generationId": gen_id})
        deleted_envs = _drop_unused_code_envs(state)
    for relative in archives:
        with contextlib.suppress(OSError):
            os.unlink(store.data_dir / relative)
    for sid in deleted_services:
        shutil.rmtree(store.archive_dir(sid), ignore_errors=True)
    return {
        "ok": True,
        "deletedServices": deleted_services,
        "deletedGenerations": deleted_generations,
        "deletedCodeEnvs": deleted_envs,
    }
