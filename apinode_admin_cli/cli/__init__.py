"""The ``apinode-admin`` command tree: the root group, its global options and the lazy registry."""

from __future__ import annotations

import importlib
from typing import Any, Optional

import click

from apinode_admin_cli import __version__
from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.boundary import guard, run_main
from apinode_admin_cli.cli.common.options import global_options, with_global_options
from apinode_admin_cli.cli.common.terminal import terminal_width

# Each command lives in its own module, imported only when it is invoked, so that `--help`
# and completion never pay for requests, rich or tabulate. The root help lists the summaries
# below instead of importing every module; a test keeps them equal to the commands' own.
COMMANDS = {
    "services": "apinode_admin_cli.cli.services:services",
    "generations": "apinode_admin_cli.cli.generations:generations",
    "keys": "apinode_admin_cli.cli.keys:keys",
    "fleet": "apinode_admin_cli.cli.fleet:fleet",
    "state": "apinode_admin_cli.cli.state:state",
    "metrics": "apinode_admin_cli.cli.metrics:metrics",
    "code-envs": "apinode_admin_cli.cli.node.code_envs:code_envs",
    "model-cache": "apinode_admin_cli.cli.node.model_cache:model_cache",
    "predict": "apinode_admin_cli.cli.userapi.predict:predict",
    "forecast": "apinode_admin_cli.cli.userapi.forecast:forecast",
    "predict-effect": "apinode_admin_cli.cli.userapi.predict_effect:predict_effect",
    "run-function": "apinode_admin_cli.cli.userapi.run_function:run_function",
    "sql-query": "apinode_admin_cli.cli.userapi.sql_query:sql_query",
    "lookup": "apinode_admin_cli.cli.userapi.lookup:lookup",
    "openapi": "apinode_admin_cli.cli.userapi.openapi:openapi",
    "config": "apinode_admin_cli.cli.config:config",
    "ping": "apinode_admin_cli.cli.node.ping:ping",
    "drain": "apinode_admin_cli.cli.node.drain:drain",
    "undrain": "apinode_admin_cli.cli.node.drain:undrain",
    "completion": "apinode_admin_cli.cli.completion.script:completion",
    "man": "apinode_admin_cli.cli.completion.man:man",
    "emulator": "apinode_admin_cli.cli.emulator:emulator",
    "compat": "apinode_admin_cli.cli.compat:compat_help",
    "deployer": "apinode_admin_cli.cli.deployer:deployer",
}

SUMMARIES = {
    "code-envs": "Manage the node's code environment cache.",
    "compat": "List Dataiku's original apinode-admin commands and their modern equivalents.",
    "completion": (
        "Print the completion script for SHELL: commands, options and live ids from the node."
    ),
    "config": "Show and edit settings and profiles (no node needed).",
    "drain": "Take the node out of its load balancer: /isAlive/ fails, services keep answering.",
    "deployer": "Drive the API Deployer of DSS: services, infrastructures, deployments, updates.",
    "emulator": "Run local DSS emulators (API node, API Deployer) for tests, CI and rehearsals.",
    "fleet": "Compare the nodes of a fleet (--fleet NAME): drift between them.",
    "generations": "Manage the generations (package versions) of a service.",
    "keys": "Manage the node's admin API keys.",
    "man": "Show the manual page: through `man` on a terminal, its troff source elsewhere.",
    "metrics": "Read the node's metrics.",
    "model-cache": "Manage the node's model cache.",
    "ping": "Check that the node answers and accepts the key; show round trip and version.",
    "predict": "Predict with an endpoint of a service (user API); prints the prediction.",
    "forecast": "Forecast with a time series endpoint of a service (user API).",
    "predict-effect": "Predict treatment effects with a causal endpoint of a service (user API).",
    "run-function": (
        "Run a function endpoint (Python or R) of a service (user API); prints what it returned."
    ),
    "sql-query": "Run a SQL query endpoint of a service (user API); prints the rows it selected.",
    "lookup": "Look a record up on a dataset lookup endpoint of a service (user API).",
    "openapi": (
        "Show the OpenAPI document of a service's endpoints (its /swagger); -o json prints it."
    ),
    "services": "Manage the services hosted by the node.",
    "state": "Desired state (GitOps): export, diff, apply and validate what a node serves.",
    "undrain": "Put the node back in its load balancer: /isAlive/ answers again.",
}

# The original tool's command names: hidden from the main help, listed by `compat --help`.
COMPAT_COMMANDS = {
    name: f"apinode_admin_cli.cli.compat:{name.replace('-', '_')}"
    for name in (
        "services-list",
        "service-create",
        "service-delete",
        "service-import-generation",
        "service-preload-generation",
        "service-list-generations",
        "service-switch-to-newest",
        "service-switch-to-generation",
        "service-set-mapping",
        "service-enable",
        "service-disable",
        "admin-keys-list",
        "admin-key-create",
        "admin-key-delete",
        "admin-key-delete-by-id",
        "metrics-get",
        "services-clean",
    )
}
# DSS 13.0's name: a Python identifier cannot start like it, so it is mapped by hand.
COMPAT_COMMANDS["__clean-code-env-cache"] = "apinode_admin_cli.cli.compat:clean_code_env_cache"


def _load(spec: str) -> click.Command:
    module, _, attr = spec.partition(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command)
    return command


class RootGroup(click.Group):
    """Lazy command loading, global options on every command, the error boundary around them."""

    def make_context(
        self,
        info_name: Optional[str],
        args: list[str],
        parent: Optional[click.Context] = None,
        **extra: Any,
    ) -> click.Context:
        # Given, the width spares click its import of shutil (and of bz2, lzma, zlib) on --help.
        extra.setdefault("terminal_width", terminal_width())
        return super().make_context(info_name, args, parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        spec = COMMANDS.get(cmd_name) or COMPAT_COMMANDS.get(cmd_name)
        if spec is None:
            return None
        # A failed import surfaces (say, a missing dependency) instead of "No such command".
        return with_global_options(_load(spec))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[Optional[str], Optional[click.Command], list[str]]:
        name = args[0] if args else ""
        known = name in COMMANDS or name in COMPAT_COMMANDS
        if not known and not ctx.resilient_parsing and not name.startswith("-"):
            import difflib

            # The closest name, modern or original (click cannot: commands load lazily).
            close = difflib.get_close_matches(name, [*COMMANDS, *COMPAT_COMMANDS], n=1)
            message = f"No such command {name!r}."
            if close:
                message += f" Did you mean {close[0]!r}?"
            raise click.UsageError(message, ctx)
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        return guard(ctx, ctx.ensure_object(App), lambda: super(RootGroup, self).invoke(ctx))


@click.group(
    cls=RootGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    params=global_options(),
)
# The message and help are given: click's defaults ask gettext for a translation while this
# module is imported, on every run.
@click.version_option(
    __version__,
    "--version",
    prog_name="apinode-admin",
    message="%(prog)s, version %(version)s",
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, /, **flags: Any) -> None:
    """Administer Dataiku DSS API nodes, remotely or locally.

    \b
    Examples:
      apinode-admin emulator demo                  # a guided tour, no node needed
      apinode-admin --uri http://node:12000 --api-key-file ~/.key services list
      apinode-admin services list -o json | jq -r '.[].serviceId'
      apinode-admin generations import churn /data/v2.zip --activate

    Scripts written for Dataiku's own tool run unchanged: see `apinode-admin compat --help`.
    """
    ctx.ensure_object(App).update_flags(flags)


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point."""
    run_main(cli, argv, App())
