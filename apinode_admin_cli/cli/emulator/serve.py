"""``emulator serve``: run the bundled API node emulator (standard library only, no DSS needed)."""

from __future__ import annotations

from typing import Optional

import click

from apinode_admin_cli.cli.emulator.common import (
    checked_server_options,
    serve_or_fail,
    server_options,
)

# The guided tour lives in its own module (cheap to import: its heavy imports are deferred).


@click.command("serve")
@server_options(
    "12000",
    click.option(
        "--admin-key",
        envvar="APINODE_EMULATOR_ADMIN_KEY",
        show_envvar=True,
        help="Bootstrap admin key (default: generated once and stored in the data dir).",
    ),
)
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
    from apinode_admin_cli.emulator.app import serve_forever
    from apinode_admin_cli.emulator.datadir import parse_dss_version

    def check_version() -> None:
        if dss_version is not None:
            parse_dss_version(dss_version)

    options = checked_server_options(host, port, latency_ms, tls_cert, tls_key, check_version)
    serve_or_fail(
        serve_forever, (host, port), data_dir=data_dir, admin_key=admin_key,
        dss_version=dss_version, **options,
    )  # fmt: skip
