"""Admin API: code env and model caches, and clean-unused."""

from __future__ import annotations

import os
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


def _drop_unused_code_envs(state: dict[str, Any], used: set[str]) -> list[dict[str, str]]:
    dropped = [e for e in state["codeEnvs"] if e["name"] not in used]
    state["codeEnvs"] = [e for e in state["codeEnvs"] if e["name"] in used]
    return [{"name": e["name"], "language": e["language"]} for e in dropped]


@router.route("DELETE", "cached-code-envs")
def clean_code_env_cache(req: Request) -> Any:
    store = req.app.store
    with store.lock, store.transaction() as state:
        deleted = _drop_unused_code_envs(state, store.used_code_envs())
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
    # One service file at a time: a crash half-way leaves some services cleaned, each whole.
    deleted_services = [sid for sid, enabled in store.list_services() if not enabled]
    for sid in deleted_services:
        store.delete_service(sid)
    deleted_generations = []
    for sid, _ in store.list_services():
        removed: dict[str, Any] = {}
        with store.service_transaction(sid) as service:
            entries = (service["mapping"] or {}).get("entries", [])
            mapped = {e.get("generation") for e in entries if isinstance(e, dict)}
            for gen_id in sorted(service["generations"]):
                if gen_id not in mapped:
                    removed[gen_id] = service["generations"].pop(gen_id)
        # Only once the record no longer refers to them: a crash leaves orphans, removed later.
        for gen_id, generation in removed.items():
            store.remove_generation_files(sid, generation, gen_id)
            deleted_generations.append({"serviceId": sid, "generationId": gen_id})
    with store.transaction() as state:
        deleted_envs = _drop_unused_code_envs(state, store.used_code_envs())
    return {
        "ok": True,
        "deletedServices": deleted_services,
        "deletedGenerations": deleted_generations,
        "deletedCodeEnvs": deleted_envs,
    }
