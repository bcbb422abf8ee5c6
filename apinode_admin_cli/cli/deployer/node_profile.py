"""``deployer infras add-node INFRA --node-profile P``: a key minted on the node, registered.

The node of profile P gets a new admin key labelled for the deployer; the infrastructure
lists the node with that key; the keys of that label the node had before are then deleted.
The key of profile P (the tool's own) is never one of them. Each step is undone when a later
one fails before the infrastructure changed, so that a failure leaves no stray key behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.errors import ApinodeAdminError, UsageError

if TYPE_CHECKING:
    from apinode_admin_cli.cli.app import App
    from apinode_admin_cli.client import APINodeAdminClient


def default_label(infra_id: str) -> str:
    return f"dss-deployer-{infra_id}"


def register_node(app: App, infra_id: str, profile: str, label: Optional[str]) -> dict[str, Any]:
    """Mint, register, then retire the older keys of the label; what was done, for output."""
    from apinode_admin_cli.cli.deployer.common import deployer
    from apinode_admin_cli.cli.deployer.infra_changes import _same_url
    from apinode_admin_cli.config.fleets import resolve_nodes

    label = label or default_label(infra_id)
    if not label.strip() or "\n" in label:
        raise UsageError(f"invalid --label {label!r}")
    settings = resolve_nodes(app.flags, app.env, [profile], "--node-profile", app.term.inp)
    node = settings[profile]
    own = node.api_key
    app.remember_secret(own)
    if not node.uri:
        raise UsageError(f"profile {profile!r} names no node URI (uri)")
    url = node.uri.rstrip("/")
    with app.admin_client_for(node) as client, deployer(app) as dep:
        infra = dep.get_infra(infra_id).get_settings()
        raw = infra.get_raw()
        if str(raw.get("type", "STATIC")).upper() != "STATIC":
            raise UsageError(f"infrastructure {infra_id} is {raw.get('type')}, not STATIC")
        auth = client.auth()
        older = [k for k in auth.list_keys() if k.get("label") == label and k.get("key") != own]
        minted = auth.add_key(label, f"API Deployer infrastructure {infra_id}", "apinode-admin")
        secret = minted.get("key") if isinstance(minted, dict) else None
        if not isinstance(secret, str) or not secret:
            raise ApinodeAdminError(f"{url} created a key without giving its secret")
        app.remember_secret(secret)
        replaced = any(_same_url(n.get("url"), url) for n in raw.get("apiNodes") or [])
        try:
            for existing in [n.get("url") for n in raw.get("apiNodes") or []]:
                if _same_url(existing, url):
                    infra.remove_apinode(existing)
            infra.add_apinode(url, secret)
            infra.save()
        except BaseException:
            _delete(client, minted)  # the infrastructure did not take it: no stray key
            raise
        retired = 0
        for key in older:
            _delete(client, key)
            retired += 1
    return {
        "id": infra_id,
        "url": url,
        "label": label,
        "replacedNode": replaced,
        "retiredKeys": retired,
    }


def _delete(client: APINodeAdminClient, key: dict[str, Any]) -> None:
    """Delete a key by id (nodes that hash keys) or by secret (those that list them)."""
    auth = client.auth()
    if key.get("id"):
        auth.delete_key_by_id(str(key["id"]))
    elif isinstance(key.get("key"), str) and not key["key"].startswith("***"):
        auth.delete_key(key["key"])


__all__ = ["default_label", "register_node"]
