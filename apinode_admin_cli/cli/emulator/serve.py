"""``emulator serve``: run the bundled API node emulator (standard library only, no DSS needed)."""

from __future__ import annotations

from typing import Optional

import click

# The guided tour lives in its own module (cheap to import: its heavy imports are deferred).


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 or :: for all interfaces).",
)
@click.option(
    "--port", default="12000", show_default=True, metavar="PORT", help="Port (0: any free one)."
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    help="Folder keeping the state across restarts (default: a temp folder removed at exit).",
)
@click.option(
    "--admin-key",
    envvar="APINODE_EMULATOR_ADMIN_KEY",
    show_envvar=True,
    help="Bootstrap admin key (default: generated once and stored in the data dir).",
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
@click.option(
    "--dss-version",
    metavar="X.Y",
    envvar="APINODE_EMULATOR_DSS_VERSION",
    show_envvar=True,
    help="Behave as this DSS version where it matters: before 13.1, keys listed in clear "
    "with no id. Default: 14.0.",
)
def emulator_serve(
    host: str,
    port: str,
    data_dir: Optional[str],
    admin_key: Optional[str],
    latency_ms: str,
    tls_cert: Optional[str],
    tls_key: Optional[str],
    dss_version: Optional[str],
) -> None:
    """Serve the admin and user APIs of an emulated API node until Ctrl-C or SIGTERM.

    Prints one line on stdout (the URI, and the admin key when it generated one), then logs
    one line per request on stderr. Predictions are emulated placeholders, not model output.

    \b
    Examples:
      apinode-admin emulator serve
      apinode-admin emulator serve --port 0 --data-dir ./node-state --admin-key s3cret
      apinode-admin emulator serve --tls-cert cert.pem --tls-key key.pem --latency 200
      apinode-admin emulator serve --data-dir /data/dss_data --dss-version 12.6

    With --data-dir, the folder is laid out as a node's (install.ini, bin/env-default.sh,
    config/adminkeys.json, services/SERVICE/gens/GENERATION, run/apimain.log), so scripts
    written for a node find what they look for; one emulator at a time may use it.
    """
    import errno

    from apinode_admin_cli.emulator.app import serve_forever, tls_context
    from apinode_admin_cli.emulator.datadir import SetupError, parse_dss_version
    from apinode_admin_cli.emulator.options import check_delay, check_host, check_port
    from apinode_admin_cli.errors import ApinodeAdminError, UsageError

    try:
        bind_host, bind_port = check_host(host, "--host"), check_port(port, "--port")
        delay = check_delay(latency_ms, "--latency")
        context = tls_context(tls_cert, tls_key)
        if dss_version is not None:
            parse_dss_version(dss_version)
    except ValueError as exc:
        raise UsageError(str(exc))
    except OSError as exc:  # ssl.SSLError included
        raise click.ClickException(f"Cannot load the TLS certificate or key: {exc}")
    try:
        serve_forever(
            host=bind_host,
            port=bind_port,
            data_dir=data_dir,
            admin_key=admin_key,
            latency_ms=delay,
            ssl_context=context,
            dss_version=dss_version,
        )
    except SetupError as exc:  # a data dir in use or corrupt: what and where, in one line
        raise ApinodeAdminError(str(exc))
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"invalid --host: {host!r} is not an address of this machine")
        raise click.ClickException(f"Cannot serve on {host}:{port}: {exc.strerror or exc}")
