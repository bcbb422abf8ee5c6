"""Settings: declared once (schema), resolved (flag > environment > profile > default), edited.

Names are re-exported lazily: ``--help`` and completion import the schema alone, not the file
reader, the resolver and their imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apinode_admin_cli.lazy import lazy_exports

if TYPE_CHECKING:
    from apinode_admin_cli.config.connect import require_connection
    from apinode_admin_cli.config.files import (
        default_config_path,
        display_path,
        dumps_toml,
        edit_config,
        list_fleets,
        list_profiles,
        load_config,
        set_default_profile,
        set_value,
        unset_value,
        write_config,
    )
    from apinode_admin_cli.config.fleets import (
        Fleet,
        resolve_fleet,
        resolve_nodes,
        select_fleet,
    )
    from apinode_admin_cli.config.keyfile import read_key_file
    from apinode_admin_cli.config.resolve import (
        Settings,
        env_value,
        locate_config,
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
    from apinode_admin_cli.config.values import convert

_HOMES = {
    "default_config_path": "files",
    "display_path": "files",
    "dumps_toml": "files",
    "edit_config": "files",
    "list_fleets": "files",
    "list_profiles": "files",
    "load_config": "files",
    "set_default_profile": "files",
    "set_value": "files",
    "unset_value": "files",
    "write_config": "files",
    "Settings": "resolve",
    "env_value": "resolve",
    "Fleet": "fleets",
    "resolve_fleet": "fleets",
    "resolve_nodes": "fleets",
    "select_fleet": "fleets",
    "locate_config": "resolve",
    "require_connection": "connect",
    "resolve_early": "resolve",
    "resolve_settings": "resolve",
    "select_profile": "resolve",
    "read_key_file": "keyfile",
    "convert": "values",
    "BY_NAME": "schema",
    "DEFAULTS": "schema",
    "ENV_PREFIX": "schema",
    "OUTPUT_FORMATS": "schema",
    "PROFILE_KEYS": "schema",
    "SETTINGS": "schema",
    "Setting": "schema",
}


__getattr__ = lazy_exports(__name__, _HOMES)


__all__ = [
    "BY_NAME",
    "DEFAULTS",
    "ENV_PREFIX",
    "OUTPUT_FORMATS",
    "PROFILE_KEYS",
    "SETTINGS",
    "Setting",
    "Fleet",
    "Settings",
    "convert",
    "default_config_path",
    "display_path",
    "dumps_toml",
    "edit_config",
    "env_value",
    "list_fleets",
    "list_profiles",
    "load_config",
    "locate_config",
    "read_key_file",
    "require_connection",
    "resolve_early",
    "resolve_fleet",
    "resolve_nodes",
    "resolve_settings",
    "select_fleet",
    "select_profile",
    "set_default_profile",
    "set_value",
    "unset_value",
    "write_config",
]
