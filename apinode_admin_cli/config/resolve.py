"""Resolve every setting (flag > environment > config profile > default) into one object.

This module is the only reader of the environment for settings: everything else asks the
:class:`Settings` it returns, which also records where each value came from.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Mapping, Optional

from apinode_admin_cli.config.files import (
    default_config_path,
    load_config,
)
from apinode_admin_cli.config.keyfile import read_key_file, warn_if_loose
from apinode_admin_cli.config.schema import BY_NAME, KEY_FILES, NODE_IDENTITY, SETTINGS
from apinode_admin_cli.config.values import convert, type_mismatch
from apinode_admin_cli.errors import ConfigError, UsageError
from apinode_admin_cli.redact import mask

_TOP = frozenset({"default_profile", "profiles", "fleets"})


class Settings:
    """The effective settings of one run, each with the place it came from.

    Every declared setting reads as an attribute (``settings.timeout``).
    """

    __slots__ = (
        "config_exists",
        "config_path",
        "profile",
        "profile_source",
        "sources",
        "values",
        "warnings",
    )

    def __init__(
        self,
        values: Mapping[str, Any],
        sources: Mapping[str, str],
        config_path: Path,
        config_exists: bool,
        profile: str,
        profile_source: str,
        warnings: tuple[str, ...] = (),
    ) -> None:
        self.values = values
        self.sources = sources
        self.config_path = config_path
        self.config_exists = config_exists
        self.profile = profile
        self.profile_source = profile_source
        self.warnings = warnings

    def __getattr__(self, name: str) -> Any:
        if name in BY_NAME:
            return self.values.get(name)
        raise AttributeError(name)

    def __repr__(self) -> str:
        # Settings end up in tracebacks and debug logs; secrets must not.
        shown = {k: mask(v) if BY_NAME[k].secret and v else v for k, v in self.values.items()}
        return f"Settings(values={shown!r}, profile={self.profile!r})"


def env_value(name: str, env: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The raw environment value of a setting, None when it is unset (or has no variable)."""
    var = BY_NAME[name].env
    env = os.environ if env is None else env
    return env.get(var) if var else None


def locate_config(flags: Mapping[str, Any], env: Mapping[str, str]) -> tuple[Path, str]:
    """The config file to read and where that choice came from."""
    if flags.get("config"):
        return Path(flags["config"]).expanduser(), f"flag {BY_NAME['config'].option}"
    from_env = env_value("config", env)
    if from_env:
        return Path(from_env).expanduser(), f"env {BY_NAME['config'].env}"
    return default_config_path(env), "default"


def select_profile(
    flags: Mapping[str, Any], env: Mapping[str, str], data: Mapping[str, Any], path: Path
) -> tuple[str, str]:
    """The active profile name and where it came from; ConfigError if named but absent."""
    from_env = env_value("profile", env)
    if flags.get("profile"):
        name, source = str(flags["profile"]), f"flag {BY_NAME['profile'].option}"
    elif from_env:
        name, source = from_env, f"env {BY_NAME['profile'].env}"
    elif data.get("default_profile"):
        name, source = str(data["default_profile"]), f"config {path} default_profile"
    else:
        return "default", "default"
    known = list(data.get("profiles", {}))
    if path.exists() and name not in known:
        raise ConfigError(
            f"profile {name!r} (from {source}) is not in {path}; "
            f"known profiles: {', '.join(known) or 'none'}",
            hint="list them with `apinode-admin config profiles`",
        )
    return name, source


def resolve_early(flags: Mapping[str, Any], env: Optional[Mapping[str, str]] = None) -> Settings:
    """The settings that need no config file (flag > environment > default).

    Used before, or instead of, a full resolution: to know ``-v``, ``-q``, colour and the
    output format even when the config file is broken.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    levels = [_from_flags(flags, strict=False), _from_env(env, strict=False)]
    for decl in SETTINGS:
        values[decl.name], sources[decl.name] = _first(decl.name, levels)
    return Settings(
        values=MappingProxyType(values),
        sources=MappingProxyType(sources),
        config_path=Path(),
        config_exists=False,
        profile="",
        profile_source="",
    )


def resolve_settings(
    flags: Mapping[str, Any],
    env: Optional[Mapping[str, str]] = None,
    stdin: Optional[IO[str]] = None,
    node: Optional[tuple[str, str]] = None,
    missing_ok: bool = False,
    argv0: Optional[str] = None,
    config: Optional[Mapping[str, Any]] = None,
) -> Settings:
    """Every setting's effective value and source: flag > environment > profile > default.

    ``node`` is ``(profile, source)`` for one node of a fleet: its identity (URI, key, key
    file) then comes from that profile alone; the other settings resolve as usual.
    A config file named by the flag or the variable must exist (ConfigError otherwise)
    unless ``missing_ok``; the default one may be missing. Below every level, the node's
    data dir (``local.py``) gives what is still missing; ``argv0`` is the program's path
    (default ``sys.argv[0]``), which names a data dir when it is ``DATA_DIR/bin/...``.
    ``config``: the file's content when the caller already read it (``resolve_nodes``).
    """
    env = os.environ if env is None else env
    path, path_source = locate_config(flags, env)
    if path_source != "default" and not missing_ok and not path.exists():
        raise ConfigError(
            f"config file {path} (from {path_source}) does not exist",
            hint="fix the path, or create the file with `apinode-admin config init`",
        )
    data = load_config(path) if config is None else config
    if node is None:
        profile, profile_source = select_profile(flags, env, data, path)
    else:
        profile, profile_source = node
        flags = {k: v for k, v in flags.items() if k not in NODE_IDENTITY}
        env = {k: v for k, v in env.items() if k not in _IDENTITY_VARIABLES}
    warnings = [f"unknown top-level key `{k}` in {path} (ignored)" for k in data if k not in _TOP]
    table = data.get("profiles", {}).get(profile, {})
    levels = [_from_flags(flags), _from_env(env), _from_config(table, path, profile, warnings)]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for decl in SETTINGS:
        values[decl.name], sources[decl.name] = _first(decl.name, levels)
    values["config"], sources["config"] = str(path), path_source
    values["profile"], sources["profile"] = profile, profile_source
    # A key and its key file compete as one setting: the highest level giving either wins.
    for key_name, file_name in KEY_FILES.items():
        try:
            values[key_name], sources[key_name] = _key(key_name, file_name, levels, stdin, warnings)
        except ConfigError as exc:
            if node is None:
                raise
            # The path alone does not tell which node of the fleet is broken.
            raise ConfigError(f"node {profile} of {node[1]}: {exc.message}", exc.hint)
    from apinode_admin_cli.config.local import fill_from_data_dir

    program = sys.argv[0] if argv0 is None else argv0
    fill_from_data_dir(values, sources, env, program, fleet_node=node is not None)
    from apinode_admin_cli.config.keysource import warn_key_elsewhere

    warn_key_elsewhere(values, sources, table, profile, warnings)
    holds_key = any(
        isinstance(t, dict) and any(k in t for k in KEY_FILES)
        for t in data.get("profiles", {}).values()
    )
    if holds_key:
        warn_if_loose(path, "config file", warnings)
    return Settings(
        values=MappingProxyType(values),
        sources=MappingProxyType(sources),
        config_path=path,
        config_exists=path.is_file(),
        profile=profile,
        profile_source=profile_source,
        warnings=tuple(warnings),
    )


_IDENTITY_VARIABLES = frozenset(var for var in (BY_NAME[n].env for n in NODE_IDENTITY) if var)


def _key(
    key_name: str,
    file_name: str,
    levels: list[dict[str, tuple[Any, str]]],
    stdin: Optional[IO[str]],
    warnings: list[str],
) -> tuple[Any, str]:
    """A key and its source: given itself, or read from the file the same level names."""
    for level in levels:
        if key_name in level:
            return level[key_name]
        if file_name in level:
            key_path, source = level[file_name]
            return read_key_file(key_path, stdin, warnings), source
    return None, "unset"


def _first(name: str, levels: list[dict[str, tuple[Any, str]]]) -> tuple[Any, str]:
    for level in levels:
        if name in level:
            return level[name]
    default = BY_NAME[name].default
    return (default, "default") if default is not None else (None, "unset")


def _from_flags(flags: Mapping[str, Any], strict: bool = True) -> dict[str, tuple[Any, str]]:
    found = {}
    for decl in SETTINGS:
        raw = flags.get(decl.name)
        # A switch left off (False) says nothing: a lower level may still turn it on.
        if raw is None or (decl.kind == "bool" and raw is False and decl.flag):
            continue
        try:
            value = convert(decl.name, raw)
        except ValueError as exc:
            if not strict:
                continue
            raise UsageError(f"invalid value for {decl.option}: {exc}")
        found[decl.name] = (_expand(decl.name, value, None), f"flag {decl.option}")
    return found


def _from_env(env: Mapping[str, str], strict: bool = True) -> dict[str, tuple[Any, str]]:
    found = {}
    for decl in SETTINGS:
        var = decl.env
        raw = env.get(var) if var else None
        if raw is None:
            continue
        if decl.env_presence:
            found[decl.name] = (True, f"env {var}")
            continue
        # An empty variable counts as unset, except a boolean where empty spells "false".
        if raw == "" and decl.kind != "bool":
            continue
        try:
            value = convert(decl.name, raw)
        except ValueError as exc:
            if not strict:
                continue
            raise ConfigError(f"invalid {var}: {exc}")
        found[decl.name] = (_expand(decl.name, value, None), f"env {var}")
    return found


def _from_config(
    table: Mapping[str, Any], path: Path, profile: str, warnings: list[str]
) -> dict[str, tuple[Any, str]]:
    found = {}
    where = f"profile {profile!r} of {path}"
    for key, raw in table.items():
        if key not in BY_NAME or not BY_NAME[key].in_profile:
            warnings.append(f"unknown key `{key}` in {where} (ignored)")
            continue
        mismatch = type_mismatch(key, raw)
        if mismatch:
            raise ConfigError(f"`{key}` in {where} {mismatch}")
        try:
            value = convert(key, raw)
        except ValueError as exc:
            raise ConfigError(f"invalid `{key}` in {where}: {exc}")
        found[key] = (_expand(key, value, path.parent), f"config {path} [profiles.{profile}]")
    return found


def _expand(name: str, value: Any, base: Optional[Path]) -> Any:
    """``~`` expanded in paths; a relative path in the config file is relative to that file."""
    if not BY_NAME[name].is_path or value == "-":
        return value
    expanded = Path(value).expanduser()
    if base is not None and not expanded.is_absolute():
        expanded = base / expanded
    return str(expanded)


__all__ = [
    "Settings",
    "env_value",
    "locate_config",
    "read_key_file",
    "resolve_early",
    "resolve_settings",
    "select_profile",
]
