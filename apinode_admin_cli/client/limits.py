"""Numbers given to the clients (timeouts, retries, sizes), refused before they can overflow."""

from __future__ import annotations

import math
from typing import Any

from apinode_admin_cli.errors import ConfigError

# A week: far beyond any sane wait, and below every platform's limit for timers and sockets
# (Windows' is about 49 days), so no timeout ever overflows.
MAX_SECONDS = 7 * 24 * 3600.0


def shown(value: Any) -> str:
    """``value`` for a message, short, even when it is an int too long to print."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to print
        return "a number that long"
    return text if len(text) <= 40 else text[:40] + "..."


def number(name: str, value: Any) -> float:
    """``value`` as a finite float, or a ConfigError naming ``name``."""
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{name} must be a number, not {shown(value)}") from None
    if not math.isfinite(result):
        raise ConfigError(f"{name} must be a finite number, not {shown(value)}")
    return result


def seconds(name: str, value: Any, zero: bool = False) -> float:
    """A duration in seconds, refused (ConfigError) when no timer or socket could take it."""
    result = number(name, value)
    low = "0" if zero else "more than 0"
    if result < 0 or (result == 0 and not zero) or result > MAX_SECONDS:
        raise ConfigError(
            f"{name} must be {low} and at most {MAX_SECONDS:g} seconds, not {shown(value)}",
            hint="give a number of seconds, for example --timeout 60",
        )
    return result


def whole(name: str, value: Any) -> int:
    """``value`` as an int when it is a whole number, or a ConfigError naming ``name``."""
    result = number(name, value)
    if result != int(result):
        raise ConfigError(f"{name} must be a whole number, not {shown(value)}")
    return int(result)
