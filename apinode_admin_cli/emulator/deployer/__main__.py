"""``python -m apinode_admin_cli.emulator.deployer``: the deployer emulator without click."""

from __future__ import annotations

import argparse
import errno
from typing import Optional

from apinode_admin_cli.emulator.app import tls_context
from apinode_admin_cli.emulator.datadir import SetupError
from apinode_admin_cli.emulator.deployer.app import serve_deployer
from apinode_admin_cli.emulator.options import check_delay, check_host, check_port


def main(argv: Optional[list[str]] = None) -> None:
    """Parse the options and run until SIGTERM or Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m apinode_admin_cli.emulator.deployer")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="11200")
    parser.add_argument("--data-dir")
    parser.add_argument("--api-key")
    parser.add_argument("--latency", default="0", metavar="MS")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args(argv)
    try:
        host, port = check_host(args.host, "--host"), check_port(args.port, "--port")
        latency = check_delay(args.latency, "--latency")
        context = tls_context(args.tls_cert, args.tls_key)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    try:
        serve_deployer(
            host=host,
            port=port,
            data_dir=args.data_dir,
            api_key=args.api_key,
            latency_ms=latency,
            ssl_context=context,
        )
    except SetupError as exc:
        parser.exit(1, f"{parser.prog}: {exc}\n")
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            parser.error(f"invalid --host: {args.host!r} is not an address of this machine")
        parser.exit(1, f"{parser.prog}: cannot serve on {host}:{port}: {exc.strerror or exc}\n")


if __name__ == "__main__":
    main()
