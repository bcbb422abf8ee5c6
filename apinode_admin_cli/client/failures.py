"""Requests that got no HTTP answer: classify them, and say what the node may have done."""

from __future__ import annotations

import re
import socket
import ssl
from typing import Any, Iterator, Optional

from apinode_admin_cli.errors import ConnectionFailure, TimeoutFailure, TLSFailure

TLS_HINT = (
    "pass --ca-bundle PATH to trust the node's certificate authority, "
    "or --no-check-certificate to skip verification (insecure)"
)
SLOW_HINT = "raise the timeout with --timeout SECONDS if the node is just slow"


class Failure:
    """A request that got no HTTP answer, and whether trying again is safe."""

    __slots__ = ("error", "kind", "never_sent", "retryable")

    def __init__(
        self, error: ConnectionFailure, kind: str, never_sent: bool, retryable: bool
    ) -> None:
        self.error = error
        self.kind = kind
        self.never_sent = never_sent
        self.retryable = retryable


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """Every exception wrapped inside ``exc``: args, ``reason``, causes and contexts."""
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        cur = todo.pop(0)
        if id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        nested: list[Any] = [*cur.args, getattr(cur, "reason", None)]
        nested += [cur.__cause__, cur.__context__]
        todo.extend(x for x in nested if isinstance(x, BaseException))


def _tls_reason(exc: BaseException) -> str:
    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLError):
            text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(inner))
            return re.sub(r"^\[SSL: \w+\]\s*", "", text) or str(inner.reason)
    return "the handshake failed"


def _tls_hint(reason: str) -> str:
    low = reason.lower().replace("_", " ")
    if "wrong version number" in low or "record layer failure" in low:
        return "the node may be serving plain HTTP: try an http:// URI"
    if "alert" in low and ("unknown ca" in low or "bad certificate" in low):
        # The node's alert, not our verification: it does not trust the certificate we sent.
        return "the node refused the client certificate (--client-cert): is its CA one it trusts?"
    if "eof occurred" in low:
        return (
            "the node hung up during the handshake: does it want a client certificate "
            "(--client-cert and --client-key), or one from another CA?"
        )
    if "certificate required" in low or "alert" in low or "client" in low:
        return "the node wants a client certificate: pass --client-cert and --client-key"
    return TLS_HINT


def classify(exc: BaseException, host: str, connect_timeout: float, timeout: float) -> Failure:
    """Map a ``requests`` exception to a ConnectionFailure plus its retry safety."""
    import requests
    from urllib3 import exceptions as u3

    rex = requests.exceptions
    inner = list(_chain(exc))
    if isinstance(exc, rex.SSLError):
        reason = _tls_reason(exc)
        msg = f"TLS with {host} failed: {reason}"
        return Failure(TLSFailure(msg, hint=_tls_hint(reason)), "tls error", False, False)
    if isinstance(exc, rex.ConnectTimeout):
        msg = f"could not connect to {host} within {connect_timeout:g} s"
        hint = "is the host reachable from here (firewall, VPN, proxy settings)?"
        return Failure(TimeoutFailure(msg, hint=hint), "connect timeout", False, True)
    if isinstance(exc, rex.ReadTimeout) or any(isinstance(e, u3.ReadTimeoutError) for e in inner):
        msg = f"the node at {host} did not answer within {timeout:g} s"
        return Failure(TimeoutFailure(msg, hint=SLOW_HINT), "read timeout", False, False)
    if isinstance(exc, rex.ProxyError):
        msg = f"could not reach {host} through the proxy"
        hint = "check HTTPS_PROXY, HTTP_PROXY and NO_PROXY in the environment"
        return Failure(ConnectionFailure(msg, hint=hint), "proxy error", False, True)
    if any(isinstance(e, u3.NewConnectionError) for e in inner):
        return _no_connection(inner, host)
    if isinstance(exc, (rex.ConnectionError, rex.ChunkedEncodingError, rex.ContentDecodingError)):
        msg = f"the connection to {host} dropped before the answer was complete"
        hint = "a proxy, load balancer or the node itself closed it; retry, or check the node's log"
        if _plain_http_to_tls(exc, inner):
            # A TLS port hangs up on (or answers a TLS alert to) a plain HTTP request.
            hint = "the node may be serving HTTPS: try an https:// URI (" + hint + ")"
        return Failure(ConnectionFailure(msg, hint=hint), "connection dropped", False, True)
    return Failure(ConnectionFailure(f"request to {host} failed: {exc}"), "error", False, False)


def _plain_http_to_tls(exc: BaseException, inner: list[BaseException]) -> bool:
    """An http:// request that got no HTTP answer at all, or a TLS record for one."""
    import http.client

    request = getattr(exc, "request", None)
    url = str(getattr(request, "url", "") or "")
    if not url.lower().startswith("http://"):
        return False
    for error in inner:
        if isinstance(error, http.client.RemoteDisconnected):
            return True
        said = str(error.args[0]) if error.args else ""
        if isinstance(error, http.client.BadStatusLine) and said.startswith("\x15"):
            return True
    return False


def _no_connection(inner: list[BaseException], host: str) -> Failure:
    """The TCP connection never opened, so nothing was sent: safe to retry anything."""
    if any(
        isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError" for e in inner
    ):
        name = host.rsplit(":", 1)[0]
        msg = f"could not resolve host name {name!r}"
        hint = "check the host in the URI (--uri, APINODE_ADMIN_URI or the profile's uri)"
        return Failure(ConnectionFailure(msg, hint=hint), "dns failure", True, True)
    if any(isinstance(e, ConnectionRefusedError) for e in inner):
        msg = f"connection refused by {host}"
        hint = "is the API node running and listening on that port?"
        return Failure(ConnectionFailure(msg, hint=hint), "connection refused", True, True)
    why = next((e.strerror for e in inner if isinstance(e, OSError) and e.strerror), "no route")
    msg = f"could not connect to {host}: {why}"
    hint = "is the host reachable from here (firewall, VPN, proxy settings)?"
    return Failure(ConnectionFailure(msg, hint=hint), "no connection", True, True)


def deadline_failure(host: str, timeout: float) -> Failure:
    """The attempt's whole deadline passed: the answer was not complete in time."""
    msg = f"the node at {host} did not answer within {timeout:g} s"
    return Failure(TimeoutFailure(msg, hint=SLOW_HINT), "deadline passed", False, False)


# Words the shell reads as they are (shlex.quote's own rule); others get quoted.
_PLAIN_WORD = re.compile(r"[\w@%+=:,./-]+\Z", re.ASCII)


def check_command(*words: str) -> str:
    """The command line that shows whether a write took effect, ids quoted for the shell."""
    return " ".join(["apinode-admin", *(w if _PLAIN_WORD.match(w) else _quote(w) for w in words)])


def _quote(word: str) -> str:
    import shlex  # only for a word that needs it: most ids do not

    return shlex.quote(word)


def maybe_applied(failure: Failure, method: str, check: Optional[str]) -> Failure:
    """The same failure, saying that a write whose answer was lost may have been applied."""
    if failure.never_sent:
        return failure
    err = failure.error
    how = f"check with `{check}` before trying again" if check else "check before trying again"
    if isinstance(err, TimeoutFailure) and failure.kind != "connect timeout":
        how += "; raise --timeout if the node is just slow"
    message = f"{err.message}; the node may have applied the {method} all the same"
    return Failure(
        type(err)(message, hint=how), failure.kind, failure.never_sent, failure.retryable
    )
