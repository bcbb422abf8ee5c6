"""What each node of a static infrastructure really serves, read through the tool's profiles.

The deployer's status says how it judges each node; the node's own admin API says what it
serves. The deployer gives node keys back encrypted, so a node is read only when a profile of
the config file names it (its ``uri``), as ``fleet import --from-infra`` writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.rstrip("/") == b.rstrip("/")


def node_serving(app: App, urls: list[str], service_id: str) -> dict[str, str]:
    """URL -> what the node serves of ``service_id`` (``v2``, ``v1:90%,v2:10%``, ``disabled``,
    ``missing`` or ``unreadable``), for the nodes a profile names; the others are absent."""
    from apinode_admin_cli.config.files import load_config
    from apinode_admin_cli.config.fleets import resolve_nodes
    from apinode_admin_cli.errors import ApinodeAdminError
    from apinode_admin_cli.state.current import read_node_state

    try:
        profiles = load_config(app.settings.config_path).get("profiles", {})
    except ApinodeAdminError:
        return {}
    found: dict[str, str] = {}
    for url in urls:
        names = [n for n, p in profiles.items() if isinstance(p, dict) and _same(p.get("uri"), url)]
        if not names:
            continue
        try:
            settings = resolve_nodes(app.flags, app.env, names[:1], "deployer status")[names[0]]
            app.remember_secret(settings.api_key)
            with app.admin_client_for(settings) as client:
                state = read_node_state(client, [service_id], workers=1).get(service_id)
        except ApinodeAdminError:
            found[url] = "unreadable"
            continue
        if state is None:
            found[url] = "missing"
            continue
        live = [(g, s) for g, s in state.mapping() if s > 0]
        text = live[0][0] if len(live) == 1 else ",".join(f"{g}:{s * 100:g}%" for g, s in live)
        found[url] = text if state.enabled else f"disabled ({text or 'none'})"
    return found


__all__ = ["node_serving"]
