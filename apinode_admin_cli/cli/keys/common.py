"""Checks made before touching admin keys: a parsed expiry, and not deleting the key in use."""

from __future__ import annotations

import re
from typing import Any, Optional

from apinode_admin_cli.errors import UsageError

# Epoch milliseconds up to the year 9999: anything longer is a mistake, not a date.
_EPOCH_MS = re.compile(r"[0-9]{1,15}\Z", re.ASCII)
# The ISO-8601 forms every supported Python parses alike (3.9's fromisoformat is strict).
_ISO = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{3}|\.[0-9]{6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?)?\Z",
    re.ASCII | re.IGNORECASE,
)
_FORMS = (
    "epoch milliseconds (1924992000000), a date (2030-12-31) or a date-time "
    "(2030-12-31T18:00, 2030-12-31T18:00:00Z, 2030-12-31T18:00:00+01:00)"
)


def parse_expiry(text: str) -> int:
    """Epoch milliseconds of an ``--expiry``; dates and times without an offset are local."""
    from datetime import datetime

    value = text.strip()
    shown = value if len(value) <= 40 else value[:37] + "..."
    if _EPOCH_MS.match(value):
        return int(value)
    if not _ISO.match(value):
        raise UsageError(f"invalid --expiry {shown!r}: expected {_FORMS}")
    if value[-1] in "zZ":
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.astimezone()  # the local time zone, as the listings show dates
        return round(moment.timestamp() * 1000)
    except (ValueError, OverflowError, OSError) as exc:
        raise UsageError(f"invalid --expiry {shown!r}: {exc}") from None


def check_expiry(text: str, force: bool) -> int:
    """The expiry to send; one in the past is refused unless ``force``."""
    import time

    expiry = parse_expiry(text)
    now = time.time() * 1000
    if expiry <= now and not force:
        hint = "give a future date, or pass --force to create it anyway"
        if now / 1000 / 10 < expiry <= now / 1000 * 10:
            # 1924992000 is 2031 in seconds but January 1970 in milliseconds.
            hint = (
                f"epoch values are milliseconds: {text.strip()} looks like seconds; "
                f"give {expiry * 1000} (or a date such as 2030-12-31), or pass --force"
            )
        raise UsageError(
            f"--expiry {text.strip()} is in the past: the node would refuse the key at once",
            hint=hint,
        )
    return expiry


def _expired(record: dict[str, Any]) -> bool:
    import time

    expiry = record.get("expiry")
    if not isinstance(expiry, (int, float)) or isinstance(expiry, bool):
        return False
    return expiry <= time.time() * 1000


def key_in_use(listed: Any, key_id: str, secret: Optional[str]) -> Optional[str]:
    """Why the key with ``key_id`` is the one this tool authenticates with, or None.

    The listing tells when it shows secrets, or when only one listed key is still valid:
    the key in use is valid and listed, so it must be that one.
    """
    records = [r for r in listed or [] if isinstance(r, dict)]
    shown = [r for r in records if r.get("key") and "*" not in str(r.get("key"))]
    if shown:
        ours = [r for r in shown if secret is not None and r.get("key") == secret]
        if any(str(r.get("id")) == key_id for r in ours):
            return "the listing shows its secret, which is the key this tool is using"
        return None
    valid = [r for r in records if not _expired(r)]
    if len(valid) == 1 and str(valid[0].get("id")) == key_id:
        return "it is the only valid admin key the node lists, so it is the one this tool uses"
    return None


def maybe_in_use(listed: Any, key_id: str) -> Optional[str]:
    """Why the key with ``key_id`` may be the one in use, when the listing cannot rule it out.

    Called once :func:`key_in_use` found no proof: the listing hides the secrets and several
    keys are valid. Ruled out: a key the node does not list (the node answers 404), and an
    expired one (the key in use works, so it is not expired).
    """
    records = [r for r in listed or [] if isinstance(r, dict)]
    if any(r.get("key") and "*" not in str(r.get("key")) for r in records):
        return None  # secrets shown: key_in_use knows
    target = [r for r in records if str(r.get("id")) == key_id]
    if not target or all(_expired(r) for r in target):
        return None
    valid = sum(1 for r in records if not _expired(r))
    return (
        f"the node does not show its keys' secrets and lists {valid} valid keys, so this tool "
        f"cannot tell whether key {key_id} is the one it is using"
    )


def in_use_error(source: str, why: str = "", certain: bool = True) -> UsageError:
    """The refusal to delete the key in use."""
    origin = f" ({source})" if source else ""
    reason = f": {why}" if why else ""
    if not certain:
        return UsageError(
            f"refusing to delete a key that may be the admin key this tool is using{origin}"
            f"{reason}; deleting it could lock this tool out (the next command exits 4)",
            hint="pass --force if you know it is another key (`apinode-admin keys list` shows "
            "labels and creation dates)",
        )
    return UsageError(
        f"refusing to delete the admin key this tool is using{origin}{reason}; "
        "the next command would be refused (exit 4)",
        hint="create and switch to another key first (apinode-admin keys create), "
        "or pass --force to delete it anyway",
    )
