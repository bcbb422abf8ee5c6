"""The ``apinode-admin`` command tree: global options, lazy groups and the one error boundary."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, Optional

import click

from apinode_admin_cli import __version__
from apinode_admin_cli.cli.context import App
from apinode_admin_cli.errors import ApinodeAdminError

# Each command lives in its own module, imported only when it is invoked, so that `--help`
# and completion never pay for requests, rich or tabulate. The root help lists the summaries
# below instead of importing every module; a test keeps them equal to the commands' own.
COMMANDS = {
    "services": "apinode_admin_cli.cli.services:services",
    "generations": "apinode_admin_cli.cli.generations:generations",
    "keys": "apinode_admin_cli.cli.keys:keys",
    "metrics": "apinode_admin_cli.cli.metrics:metrics",
    "code-envs": "apinode_admin_cli.cli.code_envs:code_envs",
    "model-cache": "apinode_admin_cli.cli.model_cache:model_cache",
    "predict": "apinode_admin_cli.cli.predict:predict",
    "config": "apinode_admin_cli.cli.config_cmd:config",
    "ping": "apinode_admin_cli.cli.ping:ping",
    "completion": "apinode_admin_cli.cli.completion:completion",
    "emulator": "apinode_admin_cli.cli.emulator:emulator",
    "compat": "apinode_admin_cli.cli.compat:compat_help",
}

SUMMARIES = {
    "code-envs": "Manage the node's code environment cache.",
    "compat": "List Dataiku's original apinode-admin commands and their modern equivalents.",
    "completion": (
        "Print the completion script for SHELL: commands, options and live ids from the node."
    ),
    "config": "Show and edit settings and profiles (no node needed).",
    "emulator": "Run a local DSS API node emulator for tests, CI and rehearsals.",
    "generations": "Manage the generations (package versions) of a service.",
    "keys": "Manage the node's admin API keys.",
    "metrics": "Read the node's metrics.",
    "model-cache": "Manage the node's model cache.",
    "ping": "Check that the node answers and accepts the key; show round trip and version.",
    "predict": "Predict with an endpoint of a service (user API); prints the prediction.",
    "services": "Manage the services hosted by the node.",
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

# Global options may follow the command too (`apinode-admin services list --profile prod`),
# as with kubectl; these are moved in front of the command before click parses the line.
_GLOBAL_WITH_VALUE = {
    "--uri",
    "--api-key",
    "--api-key-file",
    "--profile",
    "--config",
    "--ca-bundle",
    "--client-cert",
    "--client-key",
    "--timeout",
    "--retries",
}
_GLOBAL_FLAGS = {"--no-check-certificate", "--verbose", "-v", "--no-color", "--quiet", "-q"}


def _command_index(args: list[str]) -> Optional[int]:
    """Index of the command name: the first word that is not a global option or its value."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or not arg.startswith("-"):
            return None if arg == "--" else i
        if arg in _GLOBAL_WITH_VALUE:
            i += 1
        i += 1
    return None


def hoist_global_options(args: list[str]) -> list[str]:
    """Move global options found after the command name in front of it."""
    first = _command_index(args)
    if first is None:
        return args
    moved: list[str] = []
    kept: list[str] = []
    i = first
    while i < len(args):
        arg = args[i]
        if arg == "--":
            kept.extend(args[i:])
            break
        if arg.split("=", 1)[0] in _GLOBAL_WITH_VALUE and i > first:
            if "=" in arg:
                moved.append(arg)
            elif i + 1 < len(args):
                moved.extend(args[i : i + 2])
                i += 1
            else:
                kept.append(arg)
        elif arg in _GLOBAL_FLAGS and i > first:
            moved.append(arg)
        else:
            kept.append(arg)
        i += 1
    return args[:first] + moved + kept


def _load(spec: str) -> click.Command:
    module, _, attr = spec.partition(":")
    command = getattr(importlib.import_module(module), attr)
    assert isinstance(command, click.Command)
    return command


class RootGroup(click.Group):
    """Lazy command loading, global-option hoisting and the error boundary."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        spec = COMMANDS.get(cmd_name) or COMPAT_COMMANDS.get(cmd_name)
        if spec is None:
            return None
        # A failed import surfaces (say, a missing dependency) instead of "No such command".
        return _load(spec)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUMMARIES.get(name, "")) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(list(args)))

    def invoke(self, ctx: click.Context) -> Any:
        app: App = ctx.ensure_object(App)
        try:
            return super().invoke(ctx)
        except ApinodeAdminError as exc:
            app.report_error(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            app.report_interrupt()
            ctx.exit(130)
        except click.Abort as exc:
            # click turns Ctrl-C at a prompt into Abort; the contract says 130 for Ctrl-C.
            if not isinstance(exc.__context__, KeyboardInterrupt):
                raise
            app.report_interrupt()
            ctx.exit(130)
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(0)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # the last line of defence: one line, no traceback
            app.report_unexpected(exc)
            ctx.exit(1)
        finally:
            app.close()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@click.group(
    cls=RootGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option("--uri", metavar="URL", help="API node base URL, e.g. http://host:12000.")
@click.option("--api-key", metavar="KEY", help="Admin API key (prefer --api-key-file).")
@click.option("--api-key-file", metavar="PATH", help="Read the admin key from a file (- = stdin).")
@click.option("--profile", metavar="NAME", help="Config profile to use.")
@click.option("--config", "config_path", metavar="PATH", help="Config file to read.")
@click.option(
    "--no-check-certificate",
    is_flag=True,
    default=None,
    help="Skip TLS certificate verification (warns every time).",
)
@click.option("--ca-bundle", metavar="PATH", help="CA bundle to verify the node's certificate.")
@click.option("--client-cert", metavar="PATH", help="Client certificate for mutual TLS.")
@click.option("--client-key", metavar="PATH", help="Client certificate key for mutual TLS.")
@click.option("--timeout", metavar="SECONDS", help="Read timeout in seconds (connect: 10 s).")
@click.option("--retries", metavar="N", help="Attempts for retryable failures (default 3).")
@click.option("-v", "--verbose", is_flag=True, help="Log every HTTP exchange to stderr.")
@click.option("-q", "--quiet", is_flag=True, help="Silence progress, hints and warnings.")
@click.option("--no-color", is_flag=True, help="No ANSI colour anywhere (also NO_COLOR).")
@click.version_option(__version__, "--version", prog_name="apinode-admin")
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
    app = ctx.ensure_object(App)
    app.configure(flags)


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point."""
    # Started with a standard stream closed (`>&-`): Python leaves it None. Output to a
    # closed stdout is discarded as when the reader leaves early; messages likewise.
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    try:
        cli.main(args=argv, prog_name="apinode-admin", obj=App())
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    finally:
        try:
            sys.stdout.flush()
        except (BrokenPipeError, ValueError):
            _silence_stdout()
