"""``drain`` and ``undrain``: take a node out of its load balancer and put it back.

The switch is ``apinode-not-alive.txt`` in the node's data dir (Dataiku's HA guide): while it
exists, ``/isAlive/`` fails and the load balancer stops sending traffic, and the services keep
answering what is in flight. Each command flips the file, then waits until the node agrees.
"""

from __future__ import annotations

from pathlib import Path

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.options import output_options, pass_app
from apinode_admin_cli.cli.common.results import Action, Result
from apinode_admin_cli.cli.common.targets import run
from apinode_admin_cli.errors import ConfigError

DEFAULT_WAIT = 30.0

wait_option = click.option(
    "--wait",
    "wait",
    type=click.FloatRange(min=0, max=3600),
    default=DEFAULT_WAIT,
    show_default=True,
    metavar="SECONDS",
    help="How long /isAlive/ may take to agree (then exit 7).",
)


@click.command()
@wait_option
@output_options
@pass_app
def drain(app: App, wait: float) -> None:
    """Take the node out of its load balancer: /isAlive/ fails, services keep answering.

    Creates apinode-not-alive.txt in the node's data dir (--data-dir, APINODE_ADMIN_DATA_DIR,
    `data_dir` in the profile, or the data dir the tool runs in), then waits until /isAlive/
    fails: exit 7 if it still answers after --wait seconds (the file stays). With --fleet,
    one node after the other, stopping at the first that fails.

    \b
    Examples:
      apinode-admin drain
      apinode-admin --profile prod-1 drain --wait 60
      apinode-admin --fleet prod drain -o json
    """
    run(app, lambda node: switch(node, True, wait), parallel=1)


@click.command()
@wait_option
@output_options
@pass_app
def undrain(app: App, wait: float) -> None:
    """Put the node back in its load balancer: /isAlive/ answers again.

    Removes apinode-not-alive.txt from the node's data dir, then waits until /isAlive/
    answers 2xx: exit 7 if it still fails after --wait seconds. With --fleet, one node
    after the other, stopping at the first that fails.

    \b
    Examples:
      apinode-admin undrain
      apinode-admin --profile prod-1 undrain
    """
    run(app, lambda node: switch(node, False, wait), parallel=1)


def data_dir_of(node: Node) -> Path:
    """The node's data dir, which must exist on this machine (or a disk it shares)."""
    from apinode_admin_cli.config.schema import setting

    value = node.settings.data_dir
    if not value:
        decl = setting("data_dir")
        raise ConfigError(
            f"no data dir for this node: pass {decl.option}, set {decl.env}, or set "
            f"`data_dir` in profile {node.settings.profile!r}",
            hint=(
                "the drain file goes in the node's data dir; on the node itself, "
                "DKU_LAMBDA_HOME or running DATA_DIR/bin/apinode-admin names it"
            ),
        )
    path = Path(value)
    if not path.is_dir():
        source = node.settings.sources.get("data_dir", "?")
        raise ConfigError(f"data dir {path} (from {source}) is not a directory")
    return path


def switch(node: Node, drained: bool, wait: float) -> Result:
    """Flip the drain file of one node and wait until its /isAlive/ agrees."""
    from apinode_admin_cli.drain import drain_file, mark_drained, wait_for_agreement

    data_dir = data_dir_of(node)
    client = node.client  # a missing URI or key stops here, before the file changes
    changed = mark_drained(data_dir, drained)
    waited = wait_for_agreement(client.is_alive, not drained, wait, data_dir)
    if drained:
        done = "Drained" if changed else "Already drained"
        node.info(
            f"{done}: /isAlive/ fails ({drain_file(data_dir)} exists); the services keep "
            "answering. `apinode-admin undrain` puts the node back."
        )
    else:
        done = "Undrained" if changed else "Not drained"
        node.info(f"{done}: /isAlive/ answers; the load balancer can send traffic again.")
    report = {
        "uri": node.uri,
        "dataDir": str(data_dir),
        "drained": drained,
        "changed": changed,
        "waitedMs": round(waited * 1000, 1),
    }
    return Action(report)
