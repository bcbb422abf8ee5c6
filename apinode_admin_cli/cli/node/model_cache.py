"""``model-cache``: the node's cache of model archives."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.lazygroup import LazyGroup
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.common.results import Action, Result, Summary
from apinode_admin_cli.cli.common.targets import confirm, run


@click.group(
    "model-cache",
    cls=LazyGroup,
    lazy={
        "import": ".model_cache:model_cache_import",
        "clear": ".model_cache:model_cache_clear",
    },
)
def model_cache() -> None:
    """Manage the node's model cache."""


@click.command("import")
@click.argument("archive")
@output_options
@pass_app
def model_cache_import(app: App, archive: str) -> None:
    """Import an exported model archive (on the node's disk) into the cache.

    \b
    Example:
      apinode-admin model-cache import /srv/models/llm-small.zip
    """

    def op(node: Node) -> Result:
        path = node.node_path(archive)
        return Summary(node.client.import_model_archive_in_cache(path))

    run(app, op)


@click.command("clear")
@yes_option
@output_options
@pass_app
def model_cache_clear(app: App, yes: bool) -> None:
    """Empty the model cache.

    \b
    Example:
      apinode-admin model-cache clear --yes
    """
    confirm(app, "Clear the model cache", yes)

    def op(node: Node) -> Result:
        answer = node.client.clear_model_cache()
        node.info("Model cache cleared.")
        return Action(answer)

    run(app, op)
