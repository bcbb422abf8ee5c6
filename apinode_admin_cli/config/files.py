"""The config file: where it lives, reading it, writing it back, and editing profiles."""

from __future__ import annotations

import copy
import os
import stat
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

from apinode_admin_cli.config.schema import PROFILE_KEYS
from apinode_admin_cli.config.values import convert
from apinode_admin_cli.errors import ConfigError, UsageError


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


# Read no further than this: a path such as /dev/zero would otherwise never end.
MAX_CONFIG_BYTES = 16 * 1024 * 1024


def load_config(path: Path) -> dict[str, Any]:
    """The parsed config file, ``{}`` when it does not exist; ConfigError when unusable."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}")
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"config file {path} is larger than 16 MiB: it is no config file")
    # Imported here: most runs have no config file, and the parser costs start-up time.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on the oldest supported Python only
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML in {path}: {exc}", hint="fix the line named above")
    except ValueError:  # int() refuses integers of thousands of digits (CVE-2020-10735)
        raise ConfigError(f"invalid TOML in {path}: a number has too many digits")
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
    _check_fleets(data.get("fleets", {}), path)
    return data


def _check_fleets(fleets: Any, path: Path) -> None:
    """``[fleets.NAME] profiles = ["a", "b"]``: a table of tables, each a list of names."""
    if not isinstance(fleets, dict):
        raise ConfigError(f"`fleets` in {path} must be a table of [fleets.NAME] tables")
    for name, table in fleets.items():
        listed = table.get("profiles") if isinstance(table, dict) else None
        if not isinstance(listed, list) or not all(isinstance(p, str) for p in listed):
            raise ConfigError(
                f'`fleets.{name}` in {path} must have `profiles = ["NAME", ...]`, '
                "a list of profile names",
                hint=f'under [fleets.{name}], write profiles = ["prod-1", "prod-2"]',
            )


def has_comments(path: Path) -> bool:
    """Whether the file has a TOML comment: a ``#`` outside quoted strings (False if unreadable)."""
    import re

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    # Strings first ("""...""", '''...''', "...", '...'): a # inside one is not a comment.
    quoted = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'')
    return "#" in quoted.sub("", text)


def list_fleets(path: Path) -> dict[str, list[str]]:
    """Fleet names and their profiles, in file order."""
    fleets = load_config(path).get("fleets", {})
    return {name: list(table["profiles"]) for name, table in fleets.items()}


def dumps_toml(data: Mapping[str, Any]) -> str:
    """TOML text for nested tables of scalars and arrays (all this file ever holds)."""
    lines: list[str] = []
    _emit_table(lines, [], data)
    return "\n".join(lines) + "\n" if lines else ""


def _emit_table(lines: list[str], prefix: list[str], table: Mapping[str, Any]) -> None:
    # Imported when a file is written, not on every run that only reads settings.
    from apinode_admin_cli.tomlwrite import toml_key, toml_table_header, toml_value

    scalars = [(k, v) for k, v in table.items() if not isinstance(v, Mapping)]
    tables = [(k, v) for k, v in table.items() if isinstance(v, Mapping)]
    # An empty table still gets its header so that it survives a round trip.
    if prefix and (scalars or not tables):
        if lines:
            lines.append("")
        lines.append(toml_table_header(prefix))
    lines.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in scalars)
    for key, sub in tables:
        _emit_table(lines, [*prefix, key], sub)


def write_config(path: Path, data: Mapping[str, Any]) -> None:
    """Replace the config file atomically; it is mode 0600 from its first byte.

    A symlinked file stays a link: its target is the file replaced. Writers that read the
    file first go through :func:`edit_config`, which holds the lock.
    """
    try:
        payload = dumps_toml(data).encode("utf-8")
    except ValueError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc}")
    from apinode_admin_cli.atomicfile import write_atomic

    target = _target(path)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(target, payload, mode=0o600)
    except OSError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc.strerror or exc}")


def _target(path: Path) -> Path:
    """The file a write replaces: a symlink's final target (created when the link dangles).

    Only a regular file is ever replaced: `--config /dev/null` run as root would otherwise
    swap the device for a file, and a FIFO would block the lock's open for ever.
    """
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return target  # missing (created by the write) or unreadable (reported by it)
    if not stat.S_ISREG(mode):
        raise ConfigError(f"cannot write config file {path}: not a regular file")
    return target


@contextmanager
def edit_config(path: Path, create: bool = True) -> Iterator[dict[str, Any]]:
    """Read, change and write back the config file with no other writer in between.

    The caller changes the dict it is given; the file is written when it changed. Edits
    that mean nothing on a missing file (unset, delete) pass ``create=False``: they get
    ``{}`` and no file is created.
    """
    target = _target(path)
    if not create and not target.exists():
        yield {}
        return
    with _locked(path, target):
        data = load_config(path)
        before = copy.deepcopy(data)
        yield data
        if data != before:
            write_config(path, data)


@contextmanager
def _locked(path: Path, target: Path) -> Iterator[None]:
    """An exclusive lock on the config file itself, held across a read-modify-write.

    The lock is on the file rather than on a lock file beside it, so nothing is left behind.
    Each write replaces the file (a new inode): a writer that waited on the old one locks
    again until the file it holds is the one at the path.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows has no flock: writers are not serialized
        yield
        return
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot write config file {path}: {exc.strerror or exc}")
    while True:
        try:
            fd = os.open(target, os.O_RDONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ConfigError(f"cannot write config file {path}: {exc.strerror or exc}")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:  # a file system without locks (some network mounts): go on unlocked
            os.close(fd)
            yield
            return
        try:
            held, current = os.fstat(fd), os.stat(target)
            if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
                break
        except FileNotFoundError:  # replaced and not there yet: lock the next one
            pass
        os.close(fd)
    try:
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def set_value(path: Path, profile: str, key: str, value: str) -> None:
    """Set one key of one profile, creating the file and the profile as needed."""
    if key == "default_profile":
        set_default_profile(path, value)
        return
    if key not in PROFILE_KEYS:
        raise UsageError(f"unknown config key {key!r}; known keys: {', '.join(PROFILE_KEYS)}")
    if not profile:
        raise UsageError("the profile name is empty")
    try:
        typed = convert(key, value)
    except ValueError as exc:
        raise UsageError(f"invalid value for `{key}`: {exc}")
    if isinstance(typed, float) and typed.is_integer() and abs(typed) < 2**53:
        typed = int(typed)  # `timeout 5` is written 5, as typed, not 5.0
    with edit_config(path) as data:
        data.setdefault("profiles", {}).setdefault(profile, {})[key] = typed


def unset_value(path: Path, profile: str, key: str) -> bool:
    """Remove one key of one profile (or ``default_profile``); False if it was not there."""
    with edit_config(path, create=False) as data:
        table = data if key == "default_profile" else data.get("profiles", {}).get(profile, {})
        if key not in table:
            return False
        del table[key]
    return True


def list_profiles(path: Path) -> list[str]:
    """Profile names in file order."""
    return list(load_config(path).get("profiles", {}))


def set_default_profile(path: Path, name: str) -> None:
    """Make ``name`` the profile used when none is named; it must exist."""
    with edit_config(path, create=False) as data:
        known = list(data.get("profiles", {}))
        if name not in known:
            raise UsageError(
                f"profile {name!r} is not in {path}; known profiles: {', '.join(known) or 'none'}"
            )
        data["default_profile"] = name


__all__ = [
    "default_config_path",
    "display_path",
    "dumps_toml",
    "edit_config",
    "has_comments",
    "list_fleets",
    "list_profiles",
    "load_config",
    "set_default_profile",
    "set_value",
    "unset_value",
    "write_config",
]
