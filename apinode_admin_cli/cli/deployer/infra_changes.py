"""``deployer infras create|delete|add-node|remove-node``: change infrastructures."""

from __future__ import annotations

from typing import Any, Optional

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import (
    output_options,
    pass_app,
    read_stream,
    read_text_input,
    yes_option,
)
from apinode_admin_cli.cli.deployer.common import check_id, confirm, deployer, done, infra_ids
from apinode_admin_cli.errors import ConflictError, NotFoundError, UsageError

INFRA = click.argument("infra_id", metavar="INFRA", shell_complete=infra_ids)
TYPES = ("STATIC", "K8S")


@click.command("create")
@INFRA
@click.option("--stage", required=True, help="The stage it belongs to (see `stages list`).")
@click.option(
    "--type",
    "infra_type",
    required=True,
    # Declared in lower case: click before and after 8.2 then show the same choices.
    type=click.Choice([t.lower() for t in TYPES], case_sensitive=False),
    help="STATIC (a list of API nodes) or K8S (a Kubernetes cluster).",
)
@output_options
@pass_app
def infras_create(app: App, infra_id: str, stage: str, infra_type: str) -> None:
    """Create an infrastructure.

    \b
    Examples:
      apinode-admin deployer infras create dev --stage Development --type STATIC
    """
    check_id(infra_id, "infrastructure id")
    check_id(stage, "stage")
    kind = infra_type.upper()
    with deployer(app) as dep:
        dep.create_infra(infra_id, stage, kind)
    answer = {"id": infra_id, "stage": stage, "type": kind}
    done(app, f"Created {kind} infrastructure {infra_id} in stage {stage}.", answer)


@click.command("delete")
@INFRA
@yes_option
@output_options
@pass_app
def infras_delete(app: App, infra_id: str, yes: bool) -> None:
    """Delete an infrastructure.

    DSS refuses while deployments use it.

    \b
    Examples:
      apinode-admin deployer infras delete dev -y
    """
    check_id(infra_id, "infrastructure id")
    confirm(app, f"Delete infrastructure {infra_id}", yes)
    with deployer(app) as dep:
        dep.get_infra(infra_id).delete()
    done(app, f"Deleted infrastructure {infra_id}.", {"id": infra_id, "deleted": True})


def _node_key(app: App, key_file: Optional[str], key_stdin: bool) -> str:
    if bool(key_file) == key_stdin:
        raise UsageError(
            "give the node's admin key with --api-key-file PATH or --api-key-stdin",
            hint="the deployer pushes services to the node with that key",
        )
    text = read_stream(app.term.inp) if key_stdin else read_text_input(str(key_file))
    key = text.strip()
    if not key or "\n" in key:
        raise UsageError("the node's admin key must be one non-empty line")
    return key


@click.command("add-node")
@INFRA
@click.argument("url", required=False)
@click.option(
    "--api-key-file", "key_file", metavar="PATH", help="File holding the node's admin key."
)
@click.option(
    "--api-key-stdin", "key_stdin", is_flag=True, help="Read the node's admin key on stdin."
)
@click.option(
    "--node-profile",
    metavar="PROFILE",
    help="The node of this profile, with an admin key minted on it for the deployer.",
)
@click.option(
    "--label",
    metavar="LABEL",
    help="Label of the minted key (default dss-deployer-INFRA); again = that key replaced.",
)
@output_options
@pass_app
def infras_add_node(
    app: App,
    infra_id: str,
    url: Optional[str],
    key_file: Optional[str],
    key_stdin: bool,
    node_profile: Optional[str],
    label: Optional[str],
) -> None:
    """Add an API node to a static infrastructure.

    The node is given by its base URL and one of its admin keys, or by --node-profile: an
    admin key labelled for the deployer is then minted on that node and registered, in one
    command; running it again replaces that key (the profile's own key is never touched).

    Takes effect on the nodes at the next update of each deployment.

    \b
    Examples:
      apinode-admin deployer infras add-node prod http://node3:12000 --api-key-file node3.key
      echo "$KEY" | apinode-admin deployer infras add-node prod http://n4:12000 --api-key-stdin
      apinode-admin deployer infras add-node prod --node-profile prod-3
    """
    from apinode_admin_cli.client.urls import check_node_uri

    check_id(infra_id, "infrastructure id")
    if node_profile is not None:
        if url or key_file or key_stdin:
            raise UsageError("--node-profile takes no URL, --api-key-file or --api-key-stdin")
        from apinode_admin_cli.cli.deployer.node_profile import register_node

        answer = register_node(app, infra_id, node_profile, label)
        verb = "Replaced" if answer["replacedNode"] else "Added"
        done(
            app,
            f"{verb} {answer['url']} in infrastructure {infra_id} with a key labelled "
            f"{answer['label']} (older keys of that label retired: {answer['retiredKeys']}).",
            answer,
        )
        return
    if label is not None:
        raise UsageError("--label goes with --node-profile (the key is minted then)")
    if url is None:
        raise UsageError("give the node's URL and key, or --node-profile PROFILE")
    try:
        node_url = check_node_uri(url)
    except ValueError as exc:
        raise UsageError(f"invalid API node URL: {exc}") from None
    key = _node_key(app, key_file, key_stdin)
    with deployer(app) as dep:
        settings = dep.get_infra(infra_id).get_settings()
        raw = settings.get_raw()
        if str(raw.get("type", "STATIC")).upper() != "STATIC":
            raise UsageError(f"infrastructure {infra_id} is {raw.get('type')}, not STATIC")
        if any(_same_url(n.get("url"), node_url) for n in raw.get("apiNodes") or []):
            raise ConflictError(f"{node_url} is already a node of infrastructure {infra_id}")
        settings.add_apinode(node_url, key)
        settings.save()
    answer = {"id": infra_id, "url": node_url}
    done(app, f"Added {node_url} to infrastructure {infra_id}.", answer)


@click.command("remove-node")
@INFRA
@click.argument("url")
@output_options
@pass_app
def infras_remove_node(app: App, infra_id: str, url: str) -> None:
    """Remove an API node from an infrastructure.

    The services already on the node stay there.

    \b
    Examples:
      apinode-admin deployer infras remove-node prod http://node3:12000
    """
    check_id(infra_id, "infrastructure id")
    with deployer(app) as dep:
        settings = dep.get_infra(infra_id).get_settings()
        nodes = settings.get_raw().get("apiNodes") or []
        matching = [n.get("url") for n in nodes if _same_url(n.get("url"), url)]
        if not matching:
            raise NotFoundError(
                f"{url} is not a node of infrastructure {infra_id}",
                hint=f"`apinode-admin deployer infras show {infra_id}` lists its nodes",
            )
        for node_url in matching:
            settings.remove_apinode(node_url)
        settings.save()
    done(app, f"Removed {url} from infrastructure {infra_id}.", {"id": infra_id, "url": url})


def _same_url(a: Any, b: Any) -> bool:
    return isinstance(a, str) and isinstance(b, str) and a.rstrip("/") == b.rstrip("/")
