"""``code-envs``: the node's cache of code environments."""

from __future__ import annotations

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.lazygroup import LazyGroup
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app, yes_option
from apinode_admin_cli.cli.common.results import Result, Summary
from apinode_admin_cli.cli.common.targets import confirm, run

language_option = click.option(
    "--language",
    required=True,
    type=click.Choice(["python", "R"], case_sensitive=False),
    # Written out: click versions differ in how they show case-insensitive choices.
    metavar="[python|R]",
    help="Language of the code env (sent as python or R, whatever the case given).",
)


@click.group(
    "code-envs",
    cls=LazyGroup,
    lazy={
        "import": ".code_envs:code_envs_import",
        "register": ".code_envs:code_envs_register",
        "clean": ".code_envs:code_envs_clean",
    },
)
def code_envs() -> None:
    """Manage the node's code environment cache."""


@click.command("import")
@click.argument("directory", metavar="DIR")
@language_option
@output_options
@pass_app
def code_envs_import(app: App, directory: str, language: str) -> None:
    """Import an exported code env folder (on the node's disk) into the cache.

    \b
    Example:
      apinode-admin code-envs import /srv/envs/py39-churn --language python
    """

    def op(node: Node) -> Result:
        path = node.node_path(directory)
        return Summary(node.client.import_code_env_in_cache(path, language))

    run(app, op)


@click.command("register")
@click.argument("exported_dir")
@click.argument("built_dir")
@language_option
@output_options
@pass_app
def code_envs_register(app: App, exported_dir: str, built_dir: str, language: str) -> None:
    """Register an already built code env (both folders on the node's disk).

    \b
    Example:
      apinode-admin code-envs register /srv/envs/export /opt/envs/built --language python
    """

    def op(node: Node) -> Result:
        exported = node.node_path(exported_dir)
        built = node.node_path(built_dir)
        return Summary(node.client.register_code_env_in_cache(exported, built, language))

    run(app, op)


@click.command("clean")
@yes_option
@output_options
@pass_app
def code_envs_clean(app: App, yes: bool) -> None:
    """Delete unused code envs from the cache.

    \b
    Example:
      apinode-admin code-envs clean --yes
    """
    confirm(app, "Delete unused code envs from the cache", yes)
    run(app, lambda node: Summary(node.client.clean_code_env_cache()))
