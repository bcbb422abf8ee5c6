"""The rules of a state file, applied to its parsed structure; every fault named by key path."""

from __future__ import annotations

import datetime as dt
import posixpath
from typing import Any, Optional

from apinode_admin_cli.errors import UsageError
from apinode_admin_cli.mapping import parse_share, validate_mapping
from apinode_admin_cli.state.model import DesiredState, ServiceSpec, Shares
from apinode_admin_cli.tomlwrite import toml_key

TOP_KEYS = ("services", "deployments")
SERVICE_KEYS = ("enabled", "generations", "active", "mapping", "preload")


def key_path(*parts: str) -> str:
    """``services.churn.mapin``; a segment TOML cannot write bare is quoted (``"a.b"``)."""
    return ".".join(toml_key(p) for p in parts)


def type_name(value: Any) -> str:
    """How a parsed value's type reads in a message, in TOML's words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, (dt.date, dt.time)):
        return "a date/time"
    return "null" if value is None else type(value).__name__


def id_problem(value: str) -> Optional[str]:
    """Why ``value`` cannot be a service or generation id (a URL path segment), or None."""
    if not value:
        return "an id cannot be empty"
    if value in (".", ".."):
        return f"{value!r} cannot be an id (it is not a usable URL path segment)"
    return None


def is_absolute(path: str) -> bool:
    """Absolute on the node's disk (API nodes run on Linux or macOS): ``/srv/x.zip``."""
    return posixpath.isabs(path)


class _Checker:
    """Collects every problem instead of stopping at the first one."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def unknown_keys(self, table: dict[str, Any], allowed: tuple[str, ...], *path: str) -> None:
        for key in table:
            if key not in allowed:
                expected = ", ".join(allowed)
                self.fail(key_path(*path, key), f"unknown key (expected one of: {expected})")

    def typed(self, value: Any, kind: type, what: str, *path: str) -> bool:
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if not ok:
            self.fail(key_path(*path), f"must be {what}, not {type_name(value)}")
        return ok


def check_state_data(data: Any, source: str) -> tuple[list[str], Optional[DesiredState]]:
    """Every problem of a parsed state file, and the model when there are none."""
    checker = _Checker()
    if not isinstance(data, dict):
        checker.fail("", f"must be a table of services, not {type_name(data)}")
        return checker.problems, None
    checker.unknown_keys(data, TOP_KEYS)
    deployments: tuple[Any, ...] = ()
    if "deployments" in data:
        from apinode_admin_cli.state.deployments import check_deployments

        deployments = tuple(check_deployments(data["deployments"], checker.fail))
        if "services" not in data:
            if checker.problems:
                return checker.problems, None
            return [], DesiredState(services=(), source=source, deployments=deployments)
    if "services" not in data:
        checker.fail("", "no `services` table: declare each service as [services.ID]")
        return checker.problems, None
    services = data["services"]
    if not checker.typed(services, dict, "a table of [services.ID] tables", "services"):
        return checker.problems, None
    specs = []
    for service_id, table in services.items():
        spec = _check_service(checker, service_id, table)
        if spec is not None:
            specs.append(spec)
    if checker.problems:
        return checker.problems, None
    return [], DesiredState(services=tuple(specs), source=source, deployments=deployments)


def _check_service(checker: _Checker, sid: str, table: Any) -> Optional[ServiceSpec]:
    base = ("services", sid)
    start = len(checker.problems)
    problem = id_problem(sid)
    if problem:
        checker.fail(key_path(*base), f"invalid service id: {problem}")
    if not checker.typed(table, dict, "a table", *base):
        return None
    checker.unknown_keys(table, SERVICE_KEYS, *base)
    enabled = table.get("enabled", True)
    checker.typed(enabled, bool, "true or false", *base, "enabled")
    generations = _check_generations(checker, table.get("generations", {}), base)
    declared = {g for g, _ in generations}

    def check_declared(generation: str, *path: str) -> None:
        if generation and generation not in declared:
            checker.fail(
                key_path(*path),
                f"generation {generation!r} is not declared in {key_path(*base, 'generations')}",
            )

    active = table.get("active")
    if active is not None and checker.typed(active, str, "a generation id", *base, "active"):
        problem = id_problem(active)
        if problem:
            checker.fail(key_path(*base, "active"), problem)
        check_declared(active, *base, "active")
    mapping: Optional[Shares] = None
    if "mapping" in table:
        mapping = _check_mapping(checker, table["mapping"], base, check_declared)
    if active is not None and "mapping" in table:
        checker.fail(key_path(*base), "give `active` or `mapping`, not both")
    preload: list[str] = []
    raw_preload = table.get("preload", [])
    if checker.typed(raw_preload, list, "an array of generation ids", *base, "preload"):
        for index, generation in enumerate(raw_preload):
            where = (*base, "preload", str(index))
            if not checker.typed(generation, str, "a generation id", *where):
                continue
            if generation in preload:
                checker.fail(key_path(*base, "preload"), f"{generation!r} appears twice")
            preload.append(generation)
            check_declared(generation, *where)
    if len(checker.problems) > start:
        return None
    if isinstance(active, str):
        mapping = ((active, 1.0),)
    return ServiceSpec(
        service_id=sid,
        enabled=bool(enabled),
        generations=tuple(generations),
        mapping=mapping,
        active=active if isinstance(active, str) else None,
        preload=tuple(preload),
    )


def _check_generations(
    checker: _Checker, value: Any, base: tuple[str, ...]
) -> list[tuple[str, str]]:
    where = (*base, "generations")
    if not checker.typed(value, dict, "a table of generation id = archive path", *where):
        return []
    result = []
    for generation, path in value.items():
        problem = id_problem(generation)
        if problem:
            checker.fail(key_path(*where, generation), f"invalid generation id: {problem}")
        if not checker.typed(path, str, "an archive path (a string)", *where, generation):
            continue
        if path and not is_absolute(path):
            checker.fail(
                key_path(*where, generation),
                f"archive path {path!r} must be absolute (a path on the node's disk), "
                'or "" for a generation that must already exist',
            )
        result.append((generation, path))
    return result


def _check_mapping(
    checker: _Checker, value: Any, base: tuple[str, ...], check_declared: Any
) -> Optional[Shares]:
    where = (*base, "mapping")
    if not checker.typed(value, dict, "a table of generation id = share", *where):
        return None
    if not value:
        checker.fail(key_path(*where), "is empty: give shares like { v1 = 0.9, v2 = 0.1 }")
        return None
    entries = []
    start = len(checker.problems)
    for generation, share in value.items():
        problem = id_problem(generation)
        if problem:
            checker.fail(key_path(*where, generation), f"invalid generation id: {problem}")
        check_declared(generation, *where, generation)
        proba: Any = share
        if isinstance(share, str):
            try:
                proba = parse_share(share)
            except ValueError:
                checker.fail(
                    key_path(*where, generation), f'{share!r} is not a share (0.9 or "90%")'
                )
                continue
        elif isinstance(share, bool) or not isinstance(share, (int, float)):
            checker.fail(
                key_path(*where, generation),
                f'must be a share (0.9 or "90%"), not {type_name(share)}',
            )
            continue
        entries.append({"generation": generation, "proba": proba})
    if len(checker.problems) > start:
        return None
    try:
        # The very rules of `services set-mapping`.
        validate_mapping({"entries": entries})
    except UsageError as exc:
        checker.fail(key_path(*where), exc.message)
        return None
    return tuple((e["generation"], float(e["proba"])) for e in entries)
