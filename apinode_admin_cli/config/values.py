"""Setting names, defaults, their environment and flag spellings, and value conversion."""

from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any, Mapping
from urllib.parse import urlsplit

from apinode_admin_cli.output.render import FORMATS as OUTPUT_FORMATS

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
DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"timeout": 60.0, "retries": 3, "no_check_certificate": False}
)
ENV_PREFIX = "APINODE_ADMIN_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_EXPECTED = {"no_check_certificate": "a boolean", "timeout": "a number", "retries": "an integer"}


def env_var(name: str) -> str:
    """The environment variable for a setting: ``uri`` -> ``APINODE_ADMIN_URI``."""
    return ENV_PREFIX + name.upper()


def flag_name(name: str) -> str:
    """The global option for a setting: ``api_key_file`` -> ``--api-key-file``."""
    return "--" + name.replace("_", "-")


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


def type_mismatch(name: str, value: Any) -> str | None:
    """Why a config file value has the wrong type for ``name``, or None when it fits."""
    if _type_ok(name, value):
        return None
    return f"must be {_EXPECTED.get(name, 'a string')}, not {_toml_type(value)}"


def _type_ok(name: str, value: Any) -> bool:
    """Whether a TOML value has the type a config key needs (no text-to-number guessing)."""
    if name == "no_check_certificate":
        return isinstance(value, bool)
    if name == "timeout":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "retries":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, str)


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string" if isinstance(value, str) else f"a {type(value).__name__}"


__all__ = [
    "DEFAULTS",
    "ENV_PREFIX",
    "OUTPUT_FORMATS",
    "SETTING_NAMES",
    "convert",
    "env_var",
    "flag_name",
    "normalize_uri",
    "type_mismatch",
]
