"""``python -m apinode_admin_cli.emulator``: the emulator without click (used by crash tests)."""

from __future__ import annotations

import argparse
from typing import Optional

from apinode_admin_cli.emulator.app import serve_forever, tls_context


def main(argv: Optional[list[str]] = None) -> None:
    """Parse the serve options and run until SIGTERM or Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m apinode_admin_cli.emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12000)
    parser.add_argument("--data-dir")
    parser.add_argument("--admin-key")
    parser.add_argument("--latency", type=float, default=0, metavar="MS")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args(argv)
    try:
        context = tls_context(args.tls_cert, args.tls_key)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    serve_forever(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        admin_key=args.admin_key,
        latency_ms=args.latency,
        ssl_context=context,
    )


if __name__ == "__main__":
    main()
