"""``python -m apinode_admin_cli.emulator``: the emulator without click (used by crash tests)."""

from __future__ import annotations

from typing import Optional

from apinode_admin_cli.emulator.app import serve_forever
from apinode_admin_cli.emulator.command import serve_options, serve_or_exit, serve_parser
from apinode_admin_cli.emulator.datadir import parse_dss_version


def main(argv: Optional[list[str]] = None) -> None:
    """Parse the serve options and run until SIGTERM or Ctrl-C."""
    parser = serve_parser("python -m apinode_admin_cli.emulator", "12000", "--admin-key")
    parser.add_argument("--dss-version", metavar="X.Y")
    args = parser.parse_args(argv)

    def check_version() -> None:
        if args.dss_version is not None:
            parse_dss_version(args.dss_version)

    options = serve_options(parser, args, check_version)
    serve_or_exit(
        parser, args, serve_forever, admin_key=args.admin_key, dss_version=args.dss_version,
        **options,
    )  # fmt: skip


if __name__ == "__main__":
    main()
