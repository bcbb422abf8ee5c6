"""Settings the node's data dir supplies when nothing explicit does: the lowest level.

Precedence: a URI or key given by a flag, a variable or the profile always wins. Whatever is
still missing comes from the data dir (``--data-dir``/``APINODE_ADMIN_DATA_DIR``/``data_dir``,
else ``DKU_LAMBDA_HOME``, else the program started as ``DATA_DIR/bin/apinode-admin``): the URI
``http://127.0.0.1:PORT`` and the data dir's CLI key. That key only ever goes to a loopback
address: a URI naming another machine never receives it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, MutableMapping, Optional
from urllib.parse import urlsplit

from apinode_admin_cli.config.datadir import is_data_dir, local_uri, locate_data_dir
from apinode_admin_cli.errors import ConfigError

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def fill_from_data_dir(
    values: MutableMapping[str, Any],
    sources: MutableMapping[str, str],
    env: Mapping[str, str],
    argv0: Optional[str],
    fleet_node: bool = False,
) -> None:
    """Record the data dir, and give the URI and key no other level gave from it.

    One node of a fleet takes its data dir from its profile only: neither Dataiku's variable
    nor the program's path can say which node of the fleet they mean.
    """
    given = (str(values["data_dir"]), sources["data_dir"]) if values.get("data_dir") else None
    found = locate_data_dir(given, {} if fleet_node else env, None if fleet_node else argv0)
    if found is None:
        return
    data_dir, where = found
    if not is_data_dir(data_dir):
        # Said when a command needs the node (require_connection): `config show` still works.
        values["data_dir"], sources["data_dir"] = str(data_dir), where
        return
    data_dir = Path(data_dir).absolute()
    values["data_dir"], sources["data_dir"] = str(data_dir), where
    if not values.get("uri"):
        uri, port_source = local_uri(data_dir, {} if fleet_node else env)
        values["uri"], sources["uri"] = uri, f"data dir {data_dir} (port from {port_source})"
    if not values.get("api_key") and is_loopback(str(values["uri"])):
        from apinode_admin_cli.config.adminkeys import cli_key, keys_file

        key, created = cli_key(data_dir)
        values["api_key"] = key
        sources["api_key"] = f"{keys_file(data_dir)} ({'created' if created else 'CLI key'})"


def is_loopback(uri: str) -> bool:
    """Whether ``uri`` names this machine (a data dir's key may go there, and nowhere else)."""
    try:
        host = (urlsplit(uri).hostname or "").lower()
    except ValueError:
        return False
    return host in _LOOPBACK or host.startswith("127.")


def not_a_data_dir(data_dir: str, where: str) -> ConfigError:
    """The error for a data dir that was named but is not one."""
    return ConfigError(
        f"{data_dir} (from {where}) is not an API node's data dir: "
        "it holds neither install.ini nor bin/env-default.sh",
        hint=_hint(where),
    )


def _hint(where: str) -> str:
    if where.startswith("env "):
        return f"fix or unset {where[4:]}"
    return "give the directory that holds the node's install.ini (its DATA_DIR)"


__all__ = ["fill_from_data_dir", "is_loopback", "not_a_data_dir"]
