"""Whole-profile edits of the config file: delete and rename, with what refers to the profile.

``default_profile`` and the ``[fleets.NAME]`` lists follow a rename; a deleted profile leaves
them. Each edit holds the config file's lock from reading to writing back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from apinode_admin_cli.config.files import edit_config
from apinode_admin_cli.errors import UsageError


class Followed(NamedTuple):
    """What referred to the profile: ``default_profile``, and the fleets listing it."""

    default: bool
    fleets: list[str]


def _profiles(data: dict[str, Any], path: Path, name: str) -> dict[str, Any]:
    profiles = data.get("profiles", {})
    if name not in profiles:
        known = ", ".join(profiles) or "none"
        raise UsageError(f"profile {name!r} is not in {path}; known profiles: {known}")
    assert isinstance(profiles, dict)
    return profiles


def _fleets_listing(data: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    fleets = data.get("fleets", {})
    return {
        fleet: table
        for fleet, table in fleets.items()
        if isinstance(table, dict) and name in table.get("profiles", [])
    }


def delete_profile(path: Path, name: str) -> Followed:
    """Remove a profile, unset ``default_profile`` if it named it, and drop it from fleets."""
    with edit_config(path, create=False) as data:
        del _profiles(data, path, name)[name]
        default = data.get("default_profile") == name
        if default:
            del data["default_profile"]
        fleets = _fleets_listing(data, name)
        for table in fleets.values():
            table["profiles"] = [p for p in table["profiles"] if p != name]
    return Followed(default, list(fleets))


def rename_profile(path: Path, old: str, new: str) -> Followed:
    """Rename a profile in place; ``default_profile`` and fleets follow it."""
    if not new.strip():
        raise UsageError("the new profile name is empty")
    with edit_config(path, create=False) as data:
        profiles = _profiles(data, path, old)
        if new in profiles:
            raise UsageError(f"profile {new!r} exists already in {path}")
        # Rebuilt so that the profile keeps its place in the file.
        data["profiles"] = {new if key == old else key: table for key, table in profiles.items()}
        default = data.get("default_profile") == old
        if default:
            data["default_profile"] = new
        fleets = _fleets_listing(data, old)
        for table in fleets.values():
            table["profiles"] = [new if p == old else p for p in table["profiles"]]
    return Followed(default, list(fleets))


__all__ = ["Followed", "delete_profile", "rename_profile"]
