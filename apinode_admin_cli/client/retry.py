"""Retry timing: exponential backoff with full jitter, and ``Retry-After`` parsing."""

from __future__ import annotations

import random
import time
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

# Statuses that say "try again later"; after 502 and 504 from a proxy, though, the node may
# have received the request and acted on it (LOST_STATUSES).
RETRY_STATUSES = frozenset({429, 502, 503, 504})
LOST_STATUSES = frozenset({502, 504})

# How an operation may be repeated after a failed attempt (the ``policy`` of a request):
# REPEATABLE: doing it twice is doing it once (reads, emptying the model cache); retried on
#   connection failures and RETRY_STATUSES.
# GONE_MEANS_DONE: a delete of one named thing; retried like REPEATABLE, and when an earlier
#   attempt's answer was lost, a retry told "not found" means that attempt deleted it.
# ONCE: repeating it would act twice or lose its answer (creations, actions, clean-ups that
#   answer with what they deleted); retried only when it surely never reached the node.
REPEATABLE = "repeatable"
GONE_MEANS_DONE = "gone-means-done"
ONCE = "once"


def default_policy(method: str) -> str:
    """The policy of a request that names none: reads and deletes repeat, the rest runs once."""
    return REPEATABLE if method in ("GET", "HEAD", "OPTIONS", "DELETE", "PUT") else ONCE


def backoff_delay(
    attempt: int,
    base: float,
    cap: float,
    rand: Callable[[], float] = random.random,
) -> float:
    """Full-jitter delay after failed attempt number ``attempt`` (1-based), at most ``cap``."""
    ceiling = min(cap, base * (2.0 ** max(attempt - 1, 0)))
    return max(0.0, ceiling * float(rand()))


def retry_after_delay(
    value: Optional[str], cap: float, now: Callable[[], float] = time.time
) -> Optional[float]:
    """Seconds to wait per a ``Retry-After`` header (seconds or HTTP date), capped; or None."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = when.timestamp() - now()
    if seconds != seconds:  # NaN would otherwise slip through min/max
        return None
    return min(max(seconds, 0.0), cap)
