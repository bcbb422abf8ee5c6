"""Resolve connection settings (flag > environment > config profile > default) and edit the file."""

from __future__ import annotations

from apinode_admin_cli.config.files import (
    default_config_path,
    display_path,
    dumps_toml,
    list_profiles,
    load_config,
    set_default_profile,
    set_value,
    unset_value,
    write_config,
)
from apinode_admin_cli.config.resolve import (
    Settings,
    locate_config,
    require_connection,
    resolve_settings,
    select_profile,
)
from apinode_admin_cli.config.values import (
    DEFAULTS,
    ENV_PREFIX,
    OUTPUT_FORMATS,
    SETTING_NAMES,
    convert,
    env_var,
    flag_name,
    normalize_uri,
)

__all__ = [
    "DEFAULTS",
    "ENV_PREFIX",
    "OUTPUT_FORMATS",
    "SETTING_NAMES",
    "Settings",
    "convert",
    "default_config_path",
    "display_path",
    "dumps_toml",
    "env_var",
    "flag_name",
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
