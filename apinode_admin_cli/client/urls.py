"""Node URIs, path segments and client certificate files: checked before any request."""

from __future__ import annotations

import os
import re
from typing import Any, Optional, Sequence, Union
from urllib.parse import urlsplit

from apinode_admin_cli.errors import ConfigError, UsageError

ClientCert = Union[str, Sequence[str], None]


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def hide_userinfo(text: str) -> str:
    """The URI for messages: before its last ``@`` shown as ``***``, its query as ``?***``.

    Deliberately wider than the RFC's user-info: a mistyped URI (``http:/user:pw@host``,
    ``KEY:@host``, a password holding ``/`` or ``@``) must not leak its secret either. A
    query or fragment (``?token=...``) is hidden too: it is where a proxy's token goes.
    """
    match = _SCHEME.match(text)
    prefix = match.group(0) if match else ""
    rest = text[len(prefix) :]
    cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=-1)
    if cut >= 0:
        rest = rest[:cut] + rest[cut] + "***"
    if "@" not in rest:
        return prefix + rest
    return prefix + "***@" + rest.rsplit("@", 1)[1]


def check_node_uri(raw: str) -> str:
    """A node base URL as ``scheme://host:port``; ValueError says what is wrong with it.

    The messages never repeat a user-info part (``user:secret@``): it may hold a key.
    """
    text = raw.strip()
    shown = hide_userinfo(text)
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # "Invalid IPv6 URL": say which, without the user-info
        raise ValueError(f"{shown!r} is not a valid URL ({exc})") from None
    if "@" in text:
        raise ValueError(f"{shown!r} carries credentials (user@); give the key with --api-key-file")
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{shown!r} is not an http:// or https:// URL, e.g. http://host:12000")
    if not parts.hostname:
        raise ValueError(f"{shown!r} has no host")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError(f"{shown!r} has an invalid port")
    if parts.path not in ("", "/"):
        raise ValueError(
            f"{shown!r} has a path ({parts.path}); give the base URL only, "
            "the tool appends /admin/api"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"{shown!r} has a query or fragment; give the base URL only")
    return f"{scheme}://{parts.netloc}"


def check_dss_uri(raw: str) -> str:
    """DSS's base URL without a trailing slash; ValueError says what is wrong with it.

    Unlike a node's, it may have a path: DSS is often served under a prefix by a proxy.
    """
    text = raw.strip()
    shown = hide_userinfo(text)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        raise ValueError(f"{shown!r} is not a valid URL ({exc})") from None
    if "@" in text:
        raise ValueError(
            f"{shown!r} carries credentials (user@); give the key with --dss-api-key-file"
        )
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{shown!r} is not an http:// or https:// URL, e.g. https://dss:11200")
    if parts.query or parts.fragment:
        raise ValueError(f"{shown!r} has a query or fragment; give the base URL only")
    path = parts.path.rstrip("/")
    if path.endswith(("/dip/publicapi", "/public/api")):
        raise ValueError(f"{shown!r} ends with the API's path; the tool appends /dip/publicapi")
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def parse_node_uri(uri: str) -> str:
    """Check a node base URL and return it as ``scheme://host:port`` without a trailing slash."""
    example = "give the node's base URL, for example http://apinode.example.com:12000"
    if not isinstance(uri, str) or not uri.strip():
        raise ConfigError("no API node URI given", hint=example)
    try:
        return check_node_uri(uri)
    except ValueError as exc:
        raise ConfigError(f"invalid API node URI: {exc}", hint=example) from None


def segment(value: Any, what: str) -> str:
    """One user-supplied path segment (an id), refused when it cannot name anything."""
    text = value if isinstance(value, str) else str(value)
    # requests and urllib3 would resolve "." and ".." even percent-encoded, hitting another URL.
    if not text or text in (".", ".."):
        raise UsageError(f"invalid {what}: {text!r}", hint=f"give a non-empty {what}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (from a node's JSON, or bytes of another encoding on the command
        # line): no URL can carry it, and requests would fail with a traceback.
        shown = text.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")
        raise UsageError(f"invalid {what} '{shown}': it is not Unicode text") from None
    return text


def check_cert(cert: ClientCert) -> Union[str, tuple[str, str], None]:
    if not cert:
        return None
    files = (cert,) if isinstance(cert, str) else tuple(cert)
    for path in files:
        if not os.path.exists(path):
            raise ConfigError(
                f"client certificate file not found: {path}",
                hint="check --client-cert and --client-key",
            )
    if isinstance(cert, str):
        return cert
    if len(files) != 2:
        raise ConfigError("a client certificate is a file, or a (cert, key) pair of files")
    return (files[0], files[1])


def check_sendable(secret: Optional[str], hint: str) -> None:
    """HTTP headers carry Latin-1 only; anything else would fail deep inside requests."""
    if not secret:
        return
    try:
        secret.encode("latin-1")
    except UnicodeEncodeError as exc:
        # Only the position: the key itself must not appear in the message.
        raise ConfigError(
            f"the API key has a character that cannot be sent in an HTTP header "
            f"(position {exc.start + 1}); was it pasted with a typographic character?",
            hint=hint,
        ) from None
