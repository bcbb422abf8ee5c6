"""What ``emulator serve`` and ``emulator deployer`` share: the server options and their errors."""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def server_options(port: str, key_option: Callable[[F], F]) -> Callable[[F], F]:
    """Add the options of every emulator (host, port, data dir, key, latency, TLS) to a command."""
    decorators: list[Callable[[F], F]] = [
        click.option(
            "--host",
            default="127.0.0.1",
            show_default=True,
            help="Address to listen on (0.0.0.0 or :: for all interfaces).",
        ),
        click.option(
            "--port",
            default=port,
            show_default=True,
            metavar="PORT",
            help="Port (0: any free one).",
        ),
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False),
            help="Folder keeping the state across restarts "
            "(default: a temp folder removed at exit).",
        ),
        key_option,
        click.option(
            "--latency",
            "latency_ms",
            default="0",
            metavar="MS",
            help="Delay every request by MS milliseconds (at most 300000).",
        ),
        click.option(
            "--tls-cert", type=click.Path(dir_okay=False, exists=True), help="PEM cert: HTTPS."
        ),
        click.option(
            "--tls-key", type=click.Path(dir_okay=False, exists=True), help="PEM private key."
        ),
    ]

    def decorate(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return decorate


def checked_server_options(
    host: str,
    port: str,
    latency_ms: str,
    tls_cert: Optional[str],
    tls_key: Optional[str],
    check: Optional[Callable[[], Any]] = None,
) -> dict[str, Any]:
    """The checked host, port, latency and TLS context for the serve function.

    A usage error for a bad value (``check`` validates the emulator's own options, raising
    ValueError); an error for a TLS file that does not load.
    """
    from apinode_admin_cli.emulator.options import check_delay, check_host, check_port
    from apinode_admin_cli.emulator.runner import tls_context
    from apinode_admin_cli.errors import UsageError

    try:
        options = {
            "host": check_host(host, "--host"),
            "port": check_port(port, "--port"),
            "latency_ms": check_delay(latency_ms, "--latency"),
            "ssl_context": tls_context(tls_cert, tls_key),
        }
        if check is not None:
            check()
    except ValueError as exc:
        raise UsageError(str(exc))
    except OSError as exc:  # ssl.SSLError included
        raise click.ClickException(f"Cannot load the TLS certificate or key: {exc}")
    return options


def serve_or_fail(serve: Callable[..., None], given: tuple[str, str], **options: Any) -> None:
    """Run ``serve(**options)``; a data dir or an address it cannot use fails in one line.

    ``given`` is the host and port as typed, which the messages quote.
    """
    import errno

    from apinode_admin_cli.emulator.datadir import SetupError
    from apinode_admin_cli.errors import ApinodeAdminError, UsageError

    host, port = given
    try:
        serve(**options)
    except SetupError as exc:  # a data dir in use or corrupt: what and where, in one line
        raise ApinodeAdminError(str(exc))
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"invalid --host: {host!r} is not an address of this machine")
        raise click.ClickException(f"Cannot serve on {host}:{port}: {exc.strerror or exc}")
