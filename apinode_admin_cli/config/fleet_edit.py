"""Fleet edits of the config file: ``[fleets.NAME] profiles = [...]`` set, grown, shrunk, deleted.

Each edit holds the config file's lock from reading to writing back (:func:`edit_config`), and
checks what ``--fleet NAME`` would refuse later: a profile that is not in the file, a profile
named twice, a fleet left without profiles.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from apinode_admin_cli.config.files import edit_config
from apinode_admin_cli.errors import UsageError


def _checked(data: dict[str, Any], path: Path, profiles: Sequence[str]) -> list[str]:
    known = list(data.get("profiles", {}))
    unknown = [p for p in profiles if p not in known]
    if unknown:
        raise UsageError(
            f"profile(s) {', '.join(unknown)} not in {path}; known profiles: "
            f"{', '.join(known) or 'none'}"
        )
    twice = sorted({p for p in profiles if list(profiles).count(p) > 1})
    if twice:
        raise UsageError(f"profile(s) {', '.join(twice)} named twice")
    return list(profiles)


def _fleet(data: dict[str, Any], path: Path, name: str) -> dict[str, Any]:
    fleets = data.get("fleets", {})
    if name not in fleets:
        raise UsageError(
            f"fleet {name!r} is not in {path}; known fleets: {', '.join(fleets) or 'none'}"
        )
    table = fleets[name]
    assert isinstance(table, dict)
    return table


def set_fleet(path: Path, name: str, profiles: Sequence[str]) -> bool:
    """Make fleet ``name`` exactly these profiles, in this order; True when it is new."""
    if not name.strip():
        raise UsageError("the fleet name is empty")
    with edit_config(path) as data:
        members = _checked(data, path, profiles)
        fleets = data.setdefault("fleets", {})
        created = name not in fleets
        fleets.setdefault(name, {})["profiles"] = members
    return created


def add_to_fleet(path: Path, name: str, profiles: Sequence[str]) -> list[str]:
    """Append profiles to an existing fleet; the ones it already lists are left as they are."""
    with edit_config(path, create=False) as data:
        table = _fleet(data, path, name)
        new = [p for p in _checked(data, path, profiles) if p not in table["profiles"]]
        table["profiles"] = [*table["profiles"], *new]
    return new


def remove_from_fleet(path: Path, name: str, profiles: Sequence[str]) -> list[str]:
    """Remove profiles from a fleet; refused when it would leave the fleet empty."""
    with edit_config(path, create=False) as data:
        table = _fleet(data, path, name)
        absent = [p for p in profiles if p not in table["profiles"]]
        if absent:
            raise UsageError(f"fleet {name!r} does not list {', '.join(absent)}")
        left = [p for p in table["profiles"] if p not in profiles]
        if not left:
            raise UsageError(
                f"that would leave fleet {name!r} without profiles",
                hint=f"delete it instead: apinode-admin config fleet delete {name}",
            )
        table["profiles"] = left
    return left


def delete_fleet(path: Path, name: str) -> None:
    """Remove fleet ``name`` from the file (the profiles it listed stay)."""
    with edit_config(path, create=False) as data:
        _fleet(data, path, name)
        del data["fleets"][name]
        if not data["fleets"]:
            del data["fleets"]


__all__ = ["add_to_fleet", "delete_fleet", "remove_from_fleet", "set_fleet"]
