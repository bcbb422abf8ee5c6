"""``python -m apinode_admin_cli.emulator.deployer``: the deployer emulator without click."""

from __future__ import annotations

from typing import Optional

from apinode_admin_cli.emulator.command import serve_options, serve_or_exit, serve_parser
from apinode_admin_cli.emulator.deployer.app import serve_deployer


def main(argv: Optional[list[str]] = None) -> None:
    """Parse the options and run until SIGTERM or Ctrl-C."""
    parser = serve_parser("python -m apinode_admin_cli.emulator.deployer", "11200", "--api-key")
    args = parser.parse_args(argv)
    options = serve_options(parser, args)
    serve_or_exit(parser, args, serve_deployer, api_key=args.api_key, **options)


if __name__ == "__main__":
    main()
