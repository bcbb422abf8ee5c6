"""Keep secrets out of everything a person or a log can read."""

from __future__ import annotations

import base64
import re
from typing import Iterable, Optional


def mask(secret: Optional[str]) -> str:
    """``****`` plus the last four characters, or ``****`` alone for short secrets."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "****"
    return "****" + secret[-4:]


def secret_forms(secret: str) -> list[str]:
    """Every spelling of a key that may show up on the wire: raw and in Basic auth form."""
    forms = {secret}
    for pair in (f"{secret}:", secret):
        forms.add(base64.b64encode(pair.encode()).decode())
    return sorted((f for f in forms if f), key=len, reverse=True)


# Below this length a spelling is only replaced where it stands alone, so that a toy key
# such as "k" does not turn "check the host" into "chec**** the host".
_SHORT = 8


def scrub(text: str, secrets: Iterable[Optional[str]]) -> str:
    """Replace every known spelling of every secret in ``text`` by its mask."""
    for secret in secrets:
        if not secret:
            continue
        for form in secret_forms(secret):
            if len(form) >= _SHORT:
                text = text.replace(form, mask(secret))
            else:
                alone = rf"(?<![A-Za-z0-9]){re.escape(form)}(?![A-Za-z0-9])"
                text = re.sub(alone, mask(secret), text)
    return text
