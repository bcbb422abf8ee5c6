"""``emulator deployer``: run the bundled API Deployer emulator (standard library only)."""

from __future__ import annotations

from typing import Optional

import click


@click.command("deployer")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 or :: for all interfaces).",
)
@click.option(
    "--port", default="11200", show_default=True, metavar="PORT", help="Port (0: any free one)."
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder keeping the state across restarts (default: a temp folder removed at exit).",
)
@click.option(
    "--api-key",
    envvar="APINODE_EMULATOR_DEPLOYER_API_KEY",
    show_envvar=True,
    help="The DSS API key clients must send (default: generated once, kept in the data dir).",
)
@click.option(
    "--latency",
    "latency_ms",
    default="0",
    metavar="MS",
    help="Delay every request by MS milliseconds (at most 300000).",
)
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True), help="PEM cert: HTTPS.")
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True), help="PEM private key.")
def emulator_deployer(
    host: str,
    port: str,
    data_dir: Optional[str],
    api_key: Optional[str],
    latency_ms: str,
    tls_cert: Optional[str],
    tls_key: Optional[str],
) -> None:
    """Serve an emulated DSS API Deployer until Ctrl-C or SIGTERM.

    Its public API (under /public/api/ and /dip/publicapi/) pushes versions to real API
    nodes (static infrastructures) or to node emulators of its own behind one URL (K8S).
    Prints one line on stdout, then logs one line per request on stderr.

    \b
    Examples:
      apinode-admin emulator deployer --port 0
      apinode-admin emulator deployer --port 11200 --data-dir ./deployer --api-key s3cret
    """
    import errno

    from apinode_admin_cli.emulator.app import tls_context
    from apinode_admin_cli.emulator.datadir import SetupError
    from apinode_admin_cli.emulator.deployer import serve_deployer
    from apinode_admin_cli.emulator.options import check_delay, check_host, check_port
    from apinode_admin_cli.errors import ApinodeAdminError, UsageError

    try:
        bind_host, bind_port = check_host(host, "--host"), check_port(port, "--port")
        delay = check_delay(latency_ms, "--latency")
        context = tls_context(tls_cert, tls_key)
    except ValueError as exc:
        raise UsageError(str(exc))
    except OSError as exc:  # ssl.SSLError included
        raise click.ClickException(f"Cannot load the TLS certificate or key: {exc}")
    try:
        serve_deployer(
            host=bind_host,
            port=bind_port,
            data_dir=data_dir,
            api_key=api_key,
            latency_ms=delay,
            ssl_context=context,
        )
    except SetupError as exc:  # a data dir in use or corrupt: what and where, in one line
        raise ApinodeAdminError(str(exc))
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"invalid --host: {host!r} is not an address of this machine")
        raise click.ClickException(f"Cannot serve on {host}:{port}: {exc.strerror or exc}")
