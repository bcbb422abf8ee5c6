"""``emulator``: run the bundled API node emulator (standard library only, no DSS needed)."""

from __future__ import annotations

from typing import Optional

import click


@click.group()
def emulator() -> None:
    """Run a local DSS API node emulator for tests, CI and rehearsals."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=12000, show_default=True, type=int, help="Port to listen on (0: any free)."
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
    "--latency", "latency_ms", default=0.0, type=float, metavar="MS", help="Delay every request."
)
@click.option("--tls-cert", type=click.Path(dir_okay=False, exists=True), help="PEM cert: HTTPS.")
@click.option("--tls-key", type=click.Path(dir_okay=False, exists=True), help="PEM private key.")
def emulator_serve(
    host: str,
    port: int,
    data_dir: Optional[str],
    admin_key: Optional[str],
    latency_ms: float,
    tls_cert: Optional[str],
    tls_key: Optional[str],
) -> None:
    """Serve the admin and user APIs of an emulated API node until Ctrl-C or SIGTERM.

    Prints one line on stdout (the URI, and the admin key when it generated one), then logs
    one line per request on stderr. Predictions are emulated placeholders, not model output.

    \b
    Examples:
      apinode-admin emulator serve
      apinode-admin emulator serve --port 0 --data-dir ./node-state --admin-key s3cret
      apinode-admin emulator serve --tls-cert cert.pem --tls-key key.pem --latency 200
    """
    from apinode_admin_cli.emulator.app import serve_forever, tls_context

    try:
        context = tls_context(tls_cert, tls_key)
    except ValueError as exc:
        raise click.UsageError(str(exc))
    except OSError as exc:  # ssl.SSLError included
        raise click.ClickException(f"Cannot load the TLS certificate or key: {exc}")
    try:
        serve_forever(
            host=host,
            port=port,
            data_dir=data_dir,
            admin_key=admin_key,
            latency_ms=latency_ms,
            ssl_context=context,
        )
    except OSError as exc:
        raise click.ClickException(f"Cannot serve on {host}:{port}: {exc.strerror or exc}")


# The guided tour lives in its own module (cheap to import: its heavy imports are deferred).
from apinode_admin_cli.cli.demo import demo  # noqa: E402

emulator.add_command(demo)
