"""Settings: declared once (schema), resolved (flag > environment > profile > default), edited."""

from __future__ import annotations

from apinode_admin_cli.config.convert import convert
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
    env_value,
    locate_config,
    read_key_file,
    require_connection,
    resolve_early,
    resolve_settings,
    select_profile,
)
from apinode_admin_cli.config.schema import (
    BY_NAME,
    DEFAULTS,
    ENV_PREFIX,
    OUTPUT_FORMATS,
    PROFILE_KEYS,
    SETTINGS,
    Setting,
)

__all__ = [
    "BY_NAME",
    "DEFAULTS",
    "ENV_PREFIX",
    "OUTPUT_FORMATS",
    "PROFILE_KEYS",
    "SETTINGS",
    "Setting",
    "Settings",
    "convert",
    "default_config_path",
    "display_path",
    "dumps_toml",
    "env_value",
    "list_profiles",
    "load_config",
    "locate_config",
    "read_key_file",
    "require_connection",
    "resolve_early",
    "resolve_settings",
    "select_profile",
    "set_default_profile",
    "set_value",
    "unset_value",
    "write_config",
]
