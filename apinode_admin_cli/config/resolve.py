"""Resolve every setting (flag > environment > config profile > default) into one object."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Mapping

from apinode_admin_cli.config.files import (
    default_config_path,
    display_path,
    list_profiles,
    load_config,
)
from apinode_admin_cli.config.values import (
    DEFAULTS,
    SETTING_NAMES,
    convert,
    env_var,
    flag_name,
    type_mismatch,
)
from apinode_admin_cli.errors import ConfigError, UsageError
from apinode_admin_cli.redact import mask

_PATHS = frozenset({"api_key_file", "ca_bundle", "client_cert", "client_key"})
_TOP = frozenset({"default_profile", "profiles"})


@dataclass(frozen=True)
class Settings:
    """The effective settings of one run, each with the place it came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, str]
    config_path: Path
    config_exists: bool
    profile: str
    profile_source: str
    warnings: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        # Settings end up in tracebacks and debug logs; the key must not.
        shown = dict(self.values, api_key=mask(self.values.get("api_key")))
        return f"Settings(values={shown!r}, profile={self.profile!r})"

    @property
    def uri(self) -> str | None:
        return self.values.get("uri")

    @property
    def api_key(self) -> str | None:
        return self.values.get("api_key")

    @property
    def timeout(self) -> float:
        return float(self.values.get("timeout") or DEFAULTS["timeout"])

    @property
    def retries(self) -> int:
        return int(self.values.get("retries") or DEFAULTS["retries"])

    @property
    def no_check_certificate(self) -> bool:
        return bool(self.values.get("no_check_certificate"))

    @property
    def ca_bundle(self) -> str | None:
        return self.values.get("ca_bundle")

    @property
    def client_cert(self) -> str | None:
        return self.values.get("client_cert")

    @property
    def client_key(self) -> str | None:
        return self.values.get("client_key")

    @property
    def output(self) -> str | None:
        return self.values.get("output")


def locate_config(flags: Mapping[str, Any], env: Mapping[str, str]) -> tuple[Path, str]:
    """The config file to read and where that choice came from."""
    if flags.get("config"):
        return Path(flags["config"]).expanduser(), "flag --config"
    if env.get(env_var("config")):
        return Path(env[env_var("config")]).expanduser(), f"env {env_var('config')}"
    return default_config_path(env), "default"


def select_profile(
    flags: Mapping[str, Any], env: Mapping[str, str], data: Mapping[str, Any], path: Path
) -> tuple[str, str]:
    """The active profile name and where it came from; ConfigError if named but absent."""
    if flags.get("profile"):
        name, source = str(flags["profile"]), "flag --profile"
    elif env.get(env_var("profile")):
        name, source = env[env_var("profile")], f"env {env_var('profile')}"
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


def resolve_settings(
    flags: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
    stdin: IO[str] | None = None,
) -> Settings:
    """Every setting's effective value and source: flag > environment > profile > default."""
    env = os.environ if env is None else env
    path, _ = locate_config(flags, env)
    data = load_config(path)
    profile, profile_source = select_profile(flags, env, data, path)
    warnings = [f"unknown top-level key `{k}` in {path} (ignored)" for k in data if k not in _TOP]
    table = data.get("profiles", {}).get(profile, {})
    levels = [_from_flags(flags), _from_env(env), _from_config(table, path, profile, warnings)]
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name in SETTING_NAMES:
        hit = next((level[name] for level in levels if name in level), None)
        if hit is None:
            hit = (DEFAULTS.get(name), "default" if name in DEFAULTS else "unset")
        values[name], sources[name] = hit
    # The key and the key file compete as one setting: the highest level giving either wins.
    values["api_key"], sources["api_key"] = None, "unset"
    for level in levels:
        if "api_key" in level:
            values["api_key"], sources["api_key"] = level["api_key"]
            break
        if "api_key_file" in level:
            key_path, sources["api_key"] = level["api_key_file"]
            values["api_key"] = _read_key_file(key_path, stdin, warnings)
            break
    holds_key = any(
        isinstance(t, dict) and "api_key" in t for t in data.get("profiles", {}).values()
    )
    if holds_key:
        _warn_if_loose(path, "config file", warnings)
    return Settings(
        values=MappingProxyType(values),
        sources=MappingProxyType(sources),
        config_path=path,
        config_exists=path.is_file(),
        profile=profile,
        profile_source=profile_source,
        warnings=tuple(warnings),
    )


def _from_flags(flags: Mapping[str, Any]) -> dict[str, tuple[Any, str]]:
    found = {}
    for name in SETTING_NAMES:
        if flags.get(name) is None:
            continue
        try:
            value = convert(name, flags[name])
        except ValueError as exc:
            raise UsageError(f"invalid value for {flag_name(name)}: {exc}")
        found[name] = (_expand(name, value, None), f"flag {flag_name(name)}")
    return found


def _from_env(env: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    found = {}
    for name in SETTING_NAMES:
        var = env_var(name)
        raw = env.get(var)
        # An empty variable counts as unset, except a boolean where empty spells "false".
        if raw is None or (raw == "" and name != "no_check_certificate"):
            continue
        try:
            value = convert(name, raw)
        except ValueError as exc:
            raise ConfigError(f"invalid {var}: {exc}")
        found[name] = (_expand(name, value, None), f"env {var}")
    return found


def _from_config(
    table: Mapping[str, Any], path: Path, profile: str, warnings: list[str]
) -> dict[str, tuple[Any, str]]:
    found = {}
    where = f"profile {profile!r} of {path}"
    for key, raw in table.items():
        if key not in SETTING_NAMES:
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


def _expand(name: str, value: Any, base: Path | None) -> Any:
    """``~`` expanded in paths; a relative path in the config file is relative to that file."""
    if name not in _PATHS or value == "-":
        return value
    expanded = Path(value).expanduser()
    if base is not None and not expanded.is_absolute():
        expanded = base / expanded
    return str(expanded)


def _read_key_file(key_path: str, stdin: IO[str] | None, warnings: list[str]) -> str:
    if key_path == "-":
        shown, text = "standard input", (stdin or sys.stdin).read()
    else:
        shown = key_path
        try:
            text = Path(key_path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read API key file {key_path}: {exc.strerror or exc}")
        except UnicodeDecodeError:
            raise ConfigError(f"API key file {key_path} is not UTF-8 text")
        _warn_if_loose(Path(key_path), "API key file", warnings)
    key = text.strip()
    if not key:
        raise ConfigError(f"API key file {shown} is empty")
    return key


def _warn_if_loose(path: Path, what: str, warnings: list[str]) -> None:
    if os.name == "nt":
        return  # POSIX mode bits mean nothing there
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return
    if mode & 0o077:
        warnings.append(
            f"{what} {path} is accessible by others (mode {mode:04o}) and holds an API key: "
            f"chmod 600 {path}"
        )


def require_connection(settings: Settings) -> tuple[str, str]:
    """``(uri, api_key)``, or ConfigError naming every way to supply what is missing."""
    where = f"profile {settings.profile!r} of {display_path(settings.config_path)}"
    hint = "`apinode-admin config show` tells where each setting comes from"
    if settings.config_exists and not (settings.uri and settings.api_key):
        others = [p for p in list_profiles(settings.config_path) if p != settings.profile]
        if others and settings.profile_source == "default":
            hint = f"the file has profile(s) {', '.join(others)}: choose one with --profile NAME"
    if not settings.uri:
        raise ConfigError(
            f"no API node URI: pass --uri, set {env_var('uri')}, or set `uri` in {where}",
            hint=hint,
        )
    if not settings.api_key:
        raise ConfigError(
            "no API key: pass --api-key-file or --api-key, set "
            f"{env_var('api_key_file')} or {env_var('api_key')}, "
            f"or set `api_key_file` or `api_key` in {where}",
            hint=hint,
        )
    return settings.uri, settings.api_key


__all__ = [
    "Settings",
    "locate_config",
    "require_connection",
    "resolve_settings",
    "select_profile",
]
