"""``emulator deployer``: run the bundled API Deployer emulator (standard library only)."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.emulator.common import (
    checked_server_options,
    serve_or_fail,
    server_options,
)


@click.command("deployer")
@server_options(
    "11200",
    click.option(
        "--api-key",
        envvar="APINODE_EMULATOR_DEPLOYER_API_KEY",
        show_envvar=True,
        help="The DSS API key clients must send (default: generated once, kept in the data dir).",
    ),
)
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
    from apinode_admin_cli.emulator.deployer import serve_deployer

    options = checked_server_options(host, port, latency_ms, tls_cert, tls_key)
    serve_or_fail(serve_deployer, (host, port), data_dir=data_dir, api_key=api_key, **options)
