"""Whole-profile edits of the config file: delete and rename, ``default_profile`` following."""

from __future__ import annotations

from pathlib import Path

from apinode_admin_cli.config.files import load_config, write_config
from apinode_admin_cli.errors import UsageError


def _known(path: Path, name: str) -> dict[str, object]:
    data = load_config(path)
    profiles = data.get("profiles", {})
    if name not in profiles:
        known = ", ".join(profiles) or "none"
        raise UsageError(f"profile {name!r} is not in {path}; known profiles: {known}")
    return data


def delete_profile(path: Path, name: str) -> bool:
    """Remove a profile; True when it was the ``default_profile`` (which is then unset)."""
    data = _known(path, name)
    profiles = data["profiles"]
    assert isinstance(profiles, dict)
    del profiles[name]
    was_default = data.get("default_profile") == name
    if was_default:
        del data["default_profile"]
    write_config(path, data)
    return was_default


def rename_profile(path: Path, old: str, new: str) -> bool:
    """Rename a profile in place; True when ``default_profile`` named it (and now ``new``)."""
    if not new.strip():
        raise UsageError("the new profile name is empty")
    data = _known(path, old)
    profiles = data["profiles"]
    assert isinstance(profiles, dict)
    if new in profiles:
        raise UsageError(f"profile {new!r} exists already in {path}")
    # Rebuilt so that the profile keeps its place in the file.
    data["profiles"] = {new if key == old else key: table for key, table in profiles.items()}
    was_default = data.get("default_profile") == old
    if was_default:
        data["default_profile"] = new
    write_config(path, data)
    return was_default


__all__ = ["delete_profile", "rename_profile"]
