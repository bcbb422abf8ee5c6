"""Resolve connection settings (flag > environment > config profile > default) and edit the file."""

from __future__ import annotations

import math
import os
import re
import sys
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, Mapping
from urllib.parse import urlsplit

from apinode_admin_cli.errors import ConfigError, UsageError
from apinode_admin_cli.redact import mask

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on the oldest supported Python only
    import tomli as tomllib

SETTING_NAMES = (
    "uri",
    "api_key",
    "api_key_file",
    "no_check_certificate",
    "ca_bundle",
    "client_cert",
    "client_key",
    "timeout",
    "retries",
    "output",
)
OUTPUT_FORMATS = ("table", "plain", "tsv", "json")
DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"timeout": 60.0, "retries": 3, "no_check_certificate": False}
)
ENV_PREFIX = "APINODE_ADMIN_"
_PATHS = frozenset({"api_key_file", "ca_bundle", "client_cert", "client_key"})
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_EXPECTED = {"no_check_certificate": "a boolean", "timeout": "a number", "retries": "an integer"}


def env_var(name: str) -> str:
    """The environment variable for a setting: ``uri`` -> ``APINODE_ADMIN_URI``."""
    return ENV_PREFIX + name.upper()


def flag_name(name: str) -> str:
    """The global option for a setting: ``api_key_file`` -> ``--api-key-file``."""
    return "--" + name.replace("_", "-")


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


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/apinode-admin/config.toml``, else ``~/.config/apinode-admin/...``."""
    env = os.environ if env is None else env
    xdg = env.get("XDG_CONFIG_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else _home(env) / ".config"
    return base / "apinode-admin" / "config.toml"


def _home(env: Mapping[str, str]) -> Path:
    return Path(env["HOME"]) if env.get("HOME") else Path.home()


def display_path(path: Path) -> str:
    """A path as people write it: the home directory shown as ``~``."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def normalize_uri(raw: str) -> str:
    """Check a node base URL and drop its trailing slash; ValueError says what is wrong."""
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{raw!r} is not an http:// or https:// URL, e.g. http://host:12000")
    if not parts.hostname:
        raise ValueError(f"{raw!r} has no host")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError(f"{raw!r} has an invalid port")
    if "@" in parts.netloc:
        # Not echoing the URL: it holds a password.
        raise ValueError("the URL carries credentials (user@); give the key with --api-key-file")
    if parts.path not in ("", "/"):
        raise ValueError(
            f"{raw!r} has a path ({parts.path}); give the base URL only, "
            "the tool appends /admin/api"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{raw!r} has a query or fragment; give the base URL only")
    return f"{parts.scheme}://{parts.netloc}"


def convert(name: str, value: Any) -> Any:
    """The typed value of one setting from text or an already typed value; ValueError if bad."""
    if name == "no_check_certificate":
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE | _FALSE:
            return word in _TRUE
        raise ValueError(f"{value!r} is not a boolean (use 1/true/yes/on or 0/false/no/off)")
    if name == "timeout":
        number = _number(value, float)
        if not (math.isfinite(number) and number > 0):
            raise ValueError(f"{value!r} is not a positive number of seconds")
        return float(number)
    if name == "retries":
        count = int(_number(value, int))
        if count < 1:
            raise ValueError(f"{value!r} is not an integer >= 1")
        return count
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    if not value.strip():
        raise ValueError("the value is empty")
    if name == "uri":
        return normalize_uri(value)
    if name == "output" and value not in OUTPUT_FORMATS:
        raise ValueError(f"{value!r} is not one of {', '.join(OUTPUT_FORMATS)}")
    return value


def _number(value: Any, kind: type) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        if kind is int and not isinstance(value, int):
            raise ValueError(f"{value!r} is not an integer")
        return value
    try:
        return kind(str(value).strip())  # type: ignore[no-any-return]
    except ValueError:
        raise ValueError(f"{value!r} is not {'an integer' if kind is int else 'a number'}")


def _type_ok(name: str, value: Any) -> bool:
    """Whether a TOML value has the type a config key needs (no text-to-number guessing)."""
    if name == "no_check_certificate":
        return isinstance(value, bool)
    if name == "timeout":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "retries":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


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


def load_config(path: Path) -> dict[str, Any]:
    """The parsed config file, ``{}`` when it does not exist; ConfigError when unusable."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}")
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}", hint="fix the line named above")
    if not isinstance(data.get("default_profile", ""), str):
        raise ConfigError(f"`default_profile` in {path} must be a string")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"`profiles` in {path} must be a table of [profiles.NAME] tables")
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise ConfigError(f"`profiles.{name}` in {path} must be a table")
        for key, value in table.items():
            if not isinstance(value, (str, int, float, bool)):
                raise ConfigError(
                    f"`{key}` in profile {name!r} of {path} has an unsupported type "
                    f"({type(value).__name__}); use a string, number or boolean"
                )
    return data


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        elif 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"{text!r} is not valid Unicode text")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # inf, -inf, nan, 1e+16 and 0.5 are all valid TOML as Python spells them
    if isinstance(value, str):
        return _toml_string(value)
    raise ValueError(f"cannot store a {type(value).__name__} in the config file")


def dumps_toml(data: Mapping[str, Any]) -> str:
    """TOML text for nested tables of str/int/float/bool (all this file ever holds)."""
    lines: list[str] = []
    _emit_table(lines, [], data)
    return "\n".join(lines) + "\n" if lines else ""


def _emit_table(lines: list[str], prefix: list[str], table: Mapping[str, Any]) -> None:
    scalars = [(k, v) for k, v in table.items() if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in table.items() if isinstance(v, Mapping)]
    # An empty table still gets its header so that it survives a round trip.
    if prefix and (scalars or not tables):
        if lines:
            lines.append("")
        lines.append("[" + ".".join(_toml_key(k) for k in prefix) + "]")
    lines.extend(f"{_toml_key(k)} = {_toml_scalar(v)}" for k, v in scalars)
    for key, sub in tables:
        _emit_table(lines, [*prefix, key], sub)


def write_config(path: Path, data: Mapping[str, Any]) -> None:
    """Replace the config file atomically; it is mode 0600 from its first byte."""
    try:
        text = dumps_toml(data)
    except ValueError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc}")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                if hasattr(os, "fchmod"):
                    os.fchmod(fh.fileno(), 0o600)  # an odd umask may have removed owner bits
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc.strerror or exc}")


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not every platform lets a directory be opened.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def set_value(path: Path, profile: str, key: str, value: str) -> None:
    """Set one key of one profile, creating the file and the profile as needed."""
    if key == "default_profile":
        set_default_profile(path, value)
        return
    if key not in SETTING_NAMES:
        raise UsageError(f"unknown config key {key!r}; known keys: {', '.join(SETTING_NAMES)}")
    if not profile:
        raise UsageError("the profile name is empty")
    try:
        typed = convert(key, value)
    except ValueError as exc:
        raise UsageError(f"invalid value for `{key}`: {exc}")
    data = load_config(path)
    data.setdefault("profiles", {}).setdefault(profile, {})[key] = typed
    write_config(path, data)


def unset_value(path: Path, profile: str, key: str) -> bool:
    """Remove one key of one profile (or ``default_profile``); False if it was not there."""
    data = load_config(path)
    table = data if key == "default_profile" else data.get("profiles", {}).get(profile, {})
    if key not in table:
        return False
    del table[key]
    write_config(path, data)
    return True


def list_profiles(path: Path) -> list[str]:
    """Profile names in file order."""
    return list(load_config(path).get("profiles", {}))


def set_default_profile(path: Path, name: str) -> None:
    """Make ``name`` the profile used when none is named; it must exist."""
    data = load_config(path)
    known = list(data.get("profiles", {}))
    if name not in known:
        raise UsageError(
            f"profile {name!r} is not in {path}; known profiles: {', '.join(known) or 'none'}"
        )
    data["default_profile"] = name
    write_config(path, data)


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


_TOP = frozenset({"default_profile", "profiles"})


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
        if not _type_ok(key, raw):
            expected = _EXPECTED.get(key, "a string")
            raise ConfigError(f"`{key}` in {where} must be {expected}, not {_toml_type(raw)}")
        try:
            value = convert(key, raw)
        except ValueError as exc:
            raise ConfigError(f"invalid `{key}` in {where}: {exc}")
        found[key] = (_expand(key, value, path.parent), f"config {path} [profiles.{profile}]")
    return found


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


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
    "DEFAULTS",
    "OUTPUT_FORMATS",
    "SETTING_NAMES",
    "Settings",
    "convert",
    "default_config_path",
    "display_path",
    "list_profiles",
    "load_config",
    "locate_config",
    "normalize_uri",
    "require_connection",
    "resolve_settings",
    "select_profile",
    "set_default_profile",
    "set_value",
    "unset_value",
    "write_config",
]
