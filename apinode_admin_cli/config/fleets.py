"""Fleets: ``[fleets.NAME] profiles = [...]`` in the config file, and which one a run uses."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Mapping, NamedTuple, Optional, Sequence

from apinode_admin_cli.config.files import load_config
from apinode_admin_cli.config.resolve import Settings, env_value, locate_config, resolve_settings
from apinode_admin_cli.config.schema import BY_NAME, NODE_IDENTITY
from apinode_admin_cli.errors import ConfigError, UsageError


class Fleet(NamedTuple):
    """The fleet a run fans out to: its name, its profiles in order, and where it was named."""

    name: str
    profiles: tuple[str, ...]
    source: str


def select_fleet(
    flags: Mapping[str, Any], env: Mapping[str, str], data: Mapping[str, Any], path: Path
) -> Optional[Fleet]:
    """The fleet to run on, or None for one node; UsageError or ConfigError when it is wrong.

    ``--fleet`` with ``--profile``, ``--uri`` or ``--api-key*`` is a usage error. A fleet
    named by the environment yields to those flags: the command line picked one node.
    """
    single = [BY_NAME[name].option for name in NODE_IDENTITY if flags.get(name)]
    if flags.get("fleet"):
        if single:
            raise UsageError(
                f"--fleet cannot be combined with {', '.join(single)}: each node of a fleet "
                "uses its own profile",
                hint="drop --fleet to run on one node, or the others to run on the fleet",
            )
        name, source = str(flags["fleet"]), f"flag {BY_NAME['fleet'].option}"
    else:
        from_env = env_value("fleet", env)
        if not from_env or single:
            return None
        name, source = from_env, f"env {BY_NAME['fleet'].env}"
    fleets = data.get("fleets", {})
    hint = f'define it in {path}: [fleets.{name}] with profiles = ["NAME", ...]'
    if name not in fleets:
        known = ", ".join(fleets) or "none"
        raise ConfigError(
            f"fleet {name!r} (from {source}) is not in {path}; known fleets: {known}", hint=hint
        )
    members = tuple(fleets[name]["profiles"])
    if not members:
        raise ConfigError(f"fleet {name!r} in {path} has no profiles", hint=hint)
    known_profiles = list(data.get("profiles", {}))
    unknown = [p for p in members if p not in known_profiles]
    if unknown:
        raise ConfigError(
            f"fleet {name!r} in {path} names unknown profile(s) {', '.join(unknown)}; "
            f"known profiles: {', '.join(known_profiles) or 'none'}",
            hint="list them with `apinode-admin config profiles`",
        )
    if len(set(members)) != len(members):
        raise ConfigError(f"fleet {name!r} in {path} names a profile twice")
    return Fleet(name, members, source)


def resolve_fleet(
    flags: Mapping[str, Any], env: Optional[Mapping[str, str]] = None
) -> Optional[Fleet]:
    """The fleet this command line asks for, if any (reading the config file)."""
    env = os.environ if env is None else env
    path, _ = locate_config(flags, env)
    return select_fleet(flags, env, load_config(path), path)


def resolve_nodes(
    flags: Mapping[str, Any],
    env: Optional[Mapping[str, str]],
    profiles: Sequence[str],
    where: str,
    stdin: Optional[IO[str]] = None,
) -> dict[str, Settings]:
    """Every node's settings, the config file read and parsed once for all of them.

    Each node is ``resolve_settings(..., node=(profile, where))``: a fleet of N nodes used to
    parse the file N times, which made its set-up grow with the square of its size.
    """
    env = os.environ if env is None else env
    path, _ = locate_config(flags, env)
    data = load_config(path)
    return {
        name: resolve_settings(flags, env, stdin=stdin, node=(name, where), config=data)
        for name in profiles
    }


__all__ = ["Fleet", "resolve_fleet", "resolve_nodes", "select_fleet"]
