"""Node URIs, path segments and client certificate files: checked before any request."""

from __future__ import annotations

import os
from typing import Any, Sequence, Union
from urllib.parse import urlsplit

from apinode_admin_cli.errors import ConfigError, UsageError

ClientCert = Union[str, Sequence[str], None]


def parse_node_uri(uri: str) -> str:
    """Check a node base URL and return it as ``scheme://host:port`` without a trailing slash."""
    example = "give the node's base URL, for example http://apinode.example.com:12000"
    if not isinstance(uri, str) or not uri.strip():
        raise ConfigError("no API node URI given", hint=example)
    parts = urlsplit(uri.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"invalid API node URI {uri!r}: it must start with http:// or https://", hint=example
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            "credentials in the API node URI are not supported",
            hint="use --api-key or --api-key-file",
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(
            f"invalid API node URI {uri!r}: it must have no path, query or fragment",
            hint=f"the tool appends /admin/api itself; {example}",
        )
    try:
        _ = parts.port
    except ValueError:
        raise ConfigError(f"invalid API node URI {uri!r}: bad port number", hint=example)
    if not parts.hostname:
        raise ConfigError(f"invalid API node URI {uri!r}: no host name", hint=example)
    return f"{scheme}://{parts.netloc}"


def segment(value: Any, what: str) -> str:
    """One user-supplied path segment (an id), refused when it cannot name anything."""
    text = value if isinstance(value, str) else str(value)
    # requests and urllib3 would resolve "." and ".." even percent-encoded, hitting another URL.
    if not text or text in (".", ".."):
        raise UsageError(f"invalid {what}: {text!r}", hint=f"give a non-empty {what}")
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
