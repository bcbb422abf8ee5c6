"""Checks of the serve options, shared by ``emulator serve``, ``python -m`` and the library."""

from __future__ import annotations

import re
import socket
from typing import Any

MAX_DELAY_MS = 300_000  # for --latency and a fault's delayMs: five minutes
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1"}


def check_port(port: Any, name: str = "port") -> int:
    """The port to bind (0: any free one), from an int or its text; ValueError otherwise."""
    value = port
    if isinstance(port, str) and re.fullmatch(r"\s*[+-]?[0-9]{1,12}\s*", port):
        value = int(port)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError(f"invalid {name}: {port!r} is not a number from 0 to 65535 (0: any free)")
    return value


def check_delay(delay_ms: Any, name: str = "latency") -> float:
    """A delay in milliseconds, from a number or its text; ValueError unless in the range."""
    value = delay_ms
    if isinstance(delay_ms, str):
        try:
            value = float(delay_ms)
        except ValueError:
            pass
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value <= MAX_DELAY_MS  # NaN, inf fail; a huge int does not overflow
    ):
        raise ValueError(
            f"invalid {name}: {delay_ms!r} is not a number of milliseconds from 0 to {MAX_DELAY_MS}"
        )
    return float(value)


def check_host(host: Any, name: str = "host") -> str:
    """The address to bind, brackets of an IPv6 literal removed; ValueError if it cannot be."""
    if not isinstance(host, str) or not host.strip():
        raise ValueError(f"invalid {name}: empty (give an address like 127.0.0.1, 0.0.0.0 for all)")
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        socket.getaddrinfo(text, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else "not a valid host name"
        raise ValueError(f"invalid {name}: {host!r} cannot be resolved ({reason})")
    return text


def connect_host(bound: str) -> str:
    """The host clients on this machine use for a server bound to ``bound``."""
    host = WILDCARD_HOSTS.get(bound, bound)
    return f"[{host}]" if ":" in host else host
