"""Keep secrets out of everything a person or a log can read."""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import Iterable, Optional
from urllib.parse import quote, quote_plus

# How JSON shows a secret: the original tool's form, which Dataiku's automation tests for.
HIDDEN = "******"


def mask(secret: Optional[str]) -> str:
    """``****`` plus the last four characters, or ``****`` alone for short secrets."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "****"
    return "****" + secret[-4:]


def secret_forms(secret: str) -> list[str]:
    """Every spelling of a key that may show up on the wire or in a message, longest first.

    requests sends Basic credentials as Latin-1 while a person types UTF-8, URLs carry the key
    percent-encoded, and a server may echo any of them, padded or not, with or without the
    empty password's colon, or decode Latin-1 bytes as UTF-8 (and the other way round).
    """
    return list(_forms(secret))


# Every request's URL is scrubbed with the same few secrets: spell each one out once.
@functools.lru_cache(maxsize=256)
def _forms(secret: str) -> tuple[str, ...]:
    forms = {secret, json.dumps(secret)[1:-1]}
    for encoding in ("utf-8", "latin-1"):
        try:
            raw = secret.encode(encoding)
        except UnicodeEncodeError:
            continue
        forms.add(raw.decode("utf-8", "replace"))
        forms.add(raw.decode("latin-1"))
        for quoted in (quote(raw, safe=""), quote_plus(raw, safe="")):
            forms.update((quoted, re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quoted)))
        for pair in (raw + b":", raw):
            encoded = base64.b64encode(pair).decode()
            forms.update((encoded, encoded.rstrip("=")))
            forms.add(base64.urlsafe_b64encode(pair).decode().rstrip("="))
    return tuple(sorted((f for f in forms if f), key=len, reverse=True))


# Below this length a spelling is only replaced where it stands alone, so that a toy key
# such as "k" does not turn "check the host" into "chec**** the host".
_SHORT = 8


def scrub(text: str, secrets: Iterable[Optional[str]]) -> str:
    """Replace every known spelling of every secret in ``text`` by its mask."""
    for secret in secrets:
        if not secret:
            continue
        for form in _forms(secret):
            if len(form) >= _SHORT:
                text = text.replace(form, mask(secret))
            else:
                alone = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
                text = re.sub(alone, mask(secret), text)
    return text
