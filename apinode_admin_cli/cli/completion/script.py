"""``completion``: print the shell completion script for bash, zsh or fish."""

from __future__ import annotations

import click

PROG_NAME = "apinode-admin"
COMPLETE_VAR = "_APINODE_ADMIN_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


def completion_script(shell: str) -> str:
    """The completion script for ``shell``, exactly as checked in under ``completions/``."""
    from click.shell_completion import ShellComplete, get_completion_class

    from apinode_admin_cli.cli import cli

    cls = get_completion_class(shell)
    if cls is None:  # pragma: no cover - the Choice below only lets known shells through
        raise click.BadParameter(f"unsupported shell {shell!r}")
    # The base class's source() skips bash's version probe (a subprocess); the text is the same.
    return ShellComplete.source(cls(cli, {}, PROG_NAME, COMPLETE_VAR))


@click.command()
@click.argument("shell", type=click.Choice(SHELLS, case_sensitive=False))
def completion(shell: str) -> None:
    """Print the completion script for SHELL: commands, options and live ids from the node.

    Service, generation and key ids are asked from the configured node (2 s timeout);
    nothing is offered when it is unreachable or not configured. Bash needs version 4.4+.

    \b
    Examples:
      eval "$(apinode-admin completion bash)"     # in ~/.bashrc
      eval "$(apinode-admin completion zsh)"      # in ~/.zshrc, after compinit
      apinode-admin completion fish > ~/.config/fish/completions/apinode-admin.fish
    """
    click.echo(completion_script(shell), nl=False)
