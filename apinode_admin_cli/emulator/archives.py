"""Package archives: what the emulator reads from them (manifest.json) and how it copies them."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any

from apinode_admin_cli.emulator.errors import ApiError, bad_request
from apinode_admin_cli.emulator.keystore import hash_key
from apinode_admin_cli.emulator.validation import validate_id


def read_manifest(path: str) -> dict[str, Any]:
    """The archive's optional manifest.json; a 400 if the file is not a readable zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "manifest.json" not in archive.namelist():
                return {}
            manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise bad_request(f"Archive {path} is not a valid zip file: {exc}")
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise bad_request(f"Archive {path} has a manifest.json that is not valid JSON")
    return manifest if isinstance(manifest, dict) else {}


def generation_id(manifest: dict[str, Any], path: str) -> str:
    """The id a package gets: its manifest's ``version``, else the file name without .zip."""
    # On a node the id is the version chosen when the package was built, stored inside it;
    # the file name is only a fallback for archives that carry no usable version.
    version = manifest.get("version")
    if isinstance(version, str):
        try:
            return validate_id(version, "generation id")
        except ApiError:
            pass
    name = os.path.basename(path)
    return validate_id(name[:-4] if name.lower().endswith(".zip") else name, "generation id")


def error_rate(manifest: dict[str, Any], path: str) -> float:
    """The manifest's ``errorRate``: the share of predictions that fail (0 when absent)."""
    rate = manifest.get("errorRate", 0)
    if (
        isinstance(rate, bool)
        or not isinstance(rate, (int, float))
        or not 0 <= rate <= 1  # NaN, inf fail; a huge int does not overflow
    ):
        raise bad_request(
            f"Archive {path} has an invalid errorRate {rate!r} in manifest.json: "
            "expected a number between 0 and 1"
        )
    return float(rate)


def manifest_keys(manifest: dict[str, Any], path: str) -> list[str]:
    """The hashes of the keys a package's ``apiKeys`` declares (none: the service is public)."""
    keys = manifest.get("apiKeys", [])
    if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
        raise bad_request(
            f"Archive {path} has an invalid apiKeys in manifest.json: "
            "expected a list of non-empty strings"
        )
    return [hash_key(k) for k in keys]


def str_list(value: Any) -> list[str]:
    """The strings of a JSON list (anything else: none)."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def copy_archive(source: str, target: Path) -> None:
    """Copy ``source`` to ``target`` and make the copy durable."""
    shutil.copyfile(source, target)
    with open(target, "rb") as handle:
        os.fsync(handle.fileno())
