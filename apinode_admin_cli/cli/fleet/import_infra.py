"""``fleet import --from-infra INFRA --name FLEET``: a static infrastructure's nodes as a fleet.

The deployer gives each node's URL but not its key (DSS returns the keys encrypted), so a
node's key comes from the config already: a profile whose ``uri`` is that node is a member
as it is. The other nodes need ``--api-key-file``: the key is copied into a file of mode 0600
beside the config file, under a profile of their own (``FLEET-HOST-PORT``). Running it again
updates the fleet: new nodes join, the profiles it made for nodes that left are removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import output_options, pass_app, read_text_input
from apinode_admin_cli.errors import UsageError


def _profile_name(fleet: str, url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = re.sub(r"[^A-Za-z0-9_-]+", "-", parts.hostname or "node").strip("-")
    return f"{fleet}-{host}-{parts.port or (443 if parts.scheme == 'https' else 80)}"


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.rstrip("/") == b.rstrip("/")


@click.command("import")
@click.option("--from-infra", "infra_id", required=True, metavar="INFRA", help="A STATIC infra.")
@click.option("--name", "fleet_name", required=True, metavar="FLEET", help="The fleet to write.")
@click.option(
    "--api-key-file",
    "key_file",
    metavar="PATH",
    help="Admin key for the nodes no profile names yet (copied, mode 0600, beside the config).",
)
@output_options
@pass_app
def fleet_import(app: App, infra_id: str, fleet_name: str, key_file: Optional[str]) -> None:
    """Write a fleet of the nodes of a deployer's static infrastructure (again = update).

    A node that a profile already names (its `uri`) joins through that profile; the others
    get a profile FLEET-HOST-PORT whose key is --api-key-file's, copied into a file of mode
    0600 beside the config file (the deployer never gives node keys back).

    \b
    Examples:
      apinode-admin fleet import --from-infra prod --name prod --api-key-file node.key
      apinode-admin --fleet prod fleet status
    """
    from apinode_admin_cli.cli.deployer.common import check_id, deployer
    from apinode_admin_cli.config.files import edit_config, load_config

    check_id(infra_id, "infrastructure id")
    check_id(fleet_name, "fleet name")
    key = None
    if key_file is not None:
        key = read_text_input(key_file).strip()
        if not key or "\n" in key:
            raise UsageError("the admin key must be one non-empty line")
    with deployer(app) as dep:
        raw = dep.get_infra(infra_id).get_settings().get_raw()
    if str(raw.get("type", "STATIC")).upper() != "STATIC":
        raise UsageError(f"infrastructure {infra_id} is {raw.get('type')}: only STATIC lists nodes")
    urls = [str(n["url"]).rstrip("/") for n in raw.get("apiNodes") or [] if n.get("url")]
    if not urls:
        raise UsageError(f"infrastructure {infra_id} lists no node")
    path = Path(app.settings.config_path)
    rows = _plan(load_config(path), fleet_name, urls, key)
    with edit_config(path) as data:
        profiles = data.setdefault("profiles", {})
        old = list((data.get("fleets", {}).get(fleet_name) or {}).get("profiles", []))
        for row in rows:
            if row["source"] != "existing":
                key_path = path.parent / f"{row['profile']}.key"
                from apinode_admin_cli.atomicfile import write_atomic

                write_atomic(key_path, (str(key) + "\n").encode("utf-8"), mode=0o600)
                profiles[row["profile"]] = {"uri": row["url"], "api_key_file": str(key_path)}
        members = [row["profile"] for row in rows]
        for name in old:
            if name not in members and name.startswith(f"{fleet_name}-") and name in profiles:
                made = path.parent / f"{name}.key"
                if profiles[name].get("api_key_file") == str(made):
                    del profiles[name]  # a profile this command made, for a node that left
                    made.unlink(missing_ok=True)
        data.setdefault("fleets", {})[fleet_name] = {"profiles": members}
    app.term.info(f"Fleet {fleet_name}: {len(rows)} node(s) of infrastructure {infra_id}.")
    from apinode_admin_cli.output.columns import FLEET_IMPORTED

    app.term.emit(app.output_format, rows, FLEET_IMPORTED, rows)


def _plan(
    data: dict[str, Any], fleet: str, urls: list[str], key: Optional[str]
) -> list[dict[str, str]]:
    """A row per node: the profile it joins through, and whether that profile exists."""
    profiles = data.get("profiles", {})
    rows, missing = [], []
    for url in urls:
        made = _profile_name(fleet, url)
        named = [n for n, p in profiles.items() if _same(p.get("uri"), url)]
        if made in named and key is not None:
            rows.append({"profile": made, "url": url, "source": "updated"})  # a new key
        elif named:
            rows.append(
                {"profile": made if made in named else named[0], "url": url, "source": "existing"}
            )
        elif key is not None:
            rows.append({"profile": made, "url": url, "source": "created"})
        else:
            missing.append(url)
    if missing:
        raise UsageError(
            f"no profile names {', '.join(missing)}, and no --api-key-file: nothing was written",
            hint="the deployer does not give node keys back: pass --api-key-file PATH, or "
            "create a profile per node (apinode-admin --profile NAME config set uri URL)",
        )
    return rows


__all__ = ["fleet_import"]
