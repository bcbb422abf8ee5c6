"""Keep secrets out of everything a person or a log can read."""

from __future__ import annotations

import base64
import functools
import json
import re
from typing import Any, Iterable, Optional
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
    for form, masked, short in _spellings(tuple(secret for secret in secrets if secret)):
        if form not in text:  # the usual case: a test in C, no copy
            continue
        if short:
            alone = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
            text = re.sub(alone, masked, text)
        else:
            text = text.replace(form, masked)
    return text


# A fleet's answers are all scrubbed with the same keys (one per node): list their spellings,
# each with its mask, once for the whole run.
@functools.lru_cache(maxsize=64)
def _spellings(secrets: tuple[str, ...]) -> tuple[tuple[str, str, bool], ...]:
    return tuple(
        (form, mask(secret), len(form) < _SHORT) for secret in secrets for form in _forms(secret)
    )


def _holds_secret(text: str, secrets: tuple[str, ...]) -> bool:
    return any(form in text for form, _, _ in _spellings(secrets))


def scrub_data(data: Any, secrets: Iterable[Optional[str]]) -> Any:
    """``data`` (JSON-like: dicts, lists, strings) with every secret scrubbed, keys included.

    A node's 2xx answer can echo the key it was sent (in a created object, a metrics name):
    what it says is shown scrubbed, as its errors are. The data comes back as it was when it
    holds no secret (the usual case, checked once on its JSON text), else as a scrubbed copy.
    """
    known = [secret for secret in secrets if secret]
    if not known or data is None or isinstance(data, (bool, int, float)):
        return data
    try:
        blob = json.dumps(data, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        blob = None
    # A spelling found in the text is not always a secret (a short one must stand alone):
    # only then is the data walked, and scrubbed where scrubbing changes something.
    if blob is not None and not _holds_secret(blob, tuple(known)):
        return data
    if blob is not None and scrub(blob, known) == blob:
        return data
    return _walk(data, known)


def _walk(data: Any, secrets: list[str]) -> Any:
    if isinstance(data, str):
        return scrub(data, secrets)
    if isinstance(data, dict):
        return {_walk(k, secrets): _walk(v, secrets) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_walk(item, secrets) for item in data]
    return data
