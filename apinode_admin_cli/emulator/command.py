"""What the emulators' ``python -m`` entry points share: the serve options and their errors."""

from __future__ import annotations

import argparse
import errno
from typing import Any, Callable, Optional

from apinode_admin_cli.emulator.datadir import SetupError
from apinode_admin_cli.emulator.options import check_delay, check_host, check_port
from apinode_admin_cli.emulator.runner import tls_context


def serve_parser(prog: str, port: str, key_option: str) -> argparse.ArgumentParser:
    """A parser for the options every emulator takes, ``key_option`` naming its key."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=port)
    parser.add_argument("--data-dir")
    parser.add_argument(key_option)
    parser.add_argument("--latency", default="0", metavar="MS")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    return parser


def serve_options(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    check: Optional[Callable[[], Any]] = None,
) -> dict[str, Any]:
    """The checked host, port, latency and TLS context; a usage error (exit 2) for a bad one.

    ``check`` validates the emulator's own options, raising ValueError.
    """
    try:
        options = {
            "host": check_host(args.host, "--host"),
            "port": check_port(args.port, "--port"),
            "latency_ms": check_delay(args.latency, "--latency"),
            "ssl_context": tls_context(args.tls_cert, args.tls_key),
            "data_dir": args.data_dir,
        }
        if check is not None:
            check()
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    return options


def serve_or_exit(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    serve: Callable[..., None],
    **options: Any,
) -> None:
    """Run ``serve(**options)``; a data dir or address it cannot use ends it in one line."""
    try:
        serve(**options)
    except SetupError as exc:
        parser.exit(1, f"{parser.prog}: {exc}\n")
    except OSError as exc:
        if exc.errno == errno.EADDRNOTAVAIL:
            parser.error(f"invalid --host: {args.host!r} is not an address of this machine")
        where = f"{options['host']}:{options['port']}"
        parser.exit(1, f"{parser.prog}: cannot serve on {where}: {exc.strerror or exc}\n")
