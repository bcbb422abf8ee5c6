"""Plain reads sent straight through the session's connection pool.

A read of a node (``GET`` with no query and no body) is most of what a fan-out sends: `fleet
status` reads every service's generations on every node. For such a request, ``requests``
rebuilds the same headers, URL, cookies and TLS settings every time, which costs about three
times what the exchange itself costs. Here they are worked out once per origin and the request
goes to the very pool (and so the very connections, deadline watch and TLS settings) that
``requests`` would use; failures are raised as the ``requests`` exceptions that
``failures.classify`` reads, mapped as ``requests`` maps them.

``requests`` still sends the request whenever it would do more than this: through a proxy, with
cookies to send, or when the answer is a redirect to follow or sets a cookie (the read is then
sent again the usual way: reads may be repeated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Mapping, Optional
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import requests

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class Route:
    """Where and how reads under one root URL are sent: the pool and every read's headers.

    ``base`` is the root as ``requests`` writes it (scheme and host normalised), ``base_path``
    its path: a read of ``base + "/" + P`` asks for ``base_path + "/" + P``, P being made of
    percent-encoded segments, which ``requests`` would leave as they are.
    """

    __slots__ = ("base", "base_path", "headers", "insecure", "pool", "retries")

    def __init__(
        self, base: str, pool: Any, headers: Mapping[str, str], retries: Any, insecure: bool
    ) -> None:
        self.base = base
        self.base_path = urlsplit(base).path
        self.pool = pool
        self.headers = dict(headers)
        self.retries = retries
        self.insecure = insecure  # TLS without verification: urllib3's warning is silenced


def route_for(
    session: requests.Session, root: str, auth: Any, environment: Mapping[str, Any]
) -> Optional[Route]:
    """The route of reads under ``root``, or None when ``requests`` must send them."""
    import requests
    from requests.utils import select_proxy

    if session.cookies or select_proxy(root + "/", environment.get("proxies") or {}):
        return None
    adapter = session.get_adapter(root + "/")
    pick = getattr(adapter, "get_connection_with_tls_context", None)
    if pick is None:  # requests before 2.32.2: the TLS settings are applied another way
        return None
    prepared = session.prepare_request(requests.Request("GET", root + "/", auth=auth))
    url = prepared.url or ""
    if "Cookie" in prepared.headers or not url.endswith("/") or "?" in url or "#" in url:
        return None
    verify = environment.get("verify", True)
    pool = pick(prepared, verify, None, environment.get("cert"))
    retries = getattr(adapter, "max_retries", 0)
    return Route(url[:-1], pool, prepared.headers, retries, insecure=verify is False)


class Answer:
    """What ``exchange`` reads of an answer, as ``requests.Response`` would give it."""

    __slots__ = ("_consumed", "_raw", "headers", "reason", "status_code")

    def __init__(self, raw: Any) -> None:
        from requests.structures import CaseInsensitiveDict

        self._raw = raw
        self._consumed = False
        self.status_code: int = raw.status
        self.reason: str = raw.reason or ""
        # Repeated headers joined with ", ", as requests gives them.
        self.headers: CaseInsensitiveDict[str] = CaseInsensitiveDict(raw.headers)

    def wants_requests(self) -> bool:
        """A redirect to follow or a cookie to keep: ``requests`` must handle this read."""
        return (self.status_code in REDIRECTS and "location" in self.headers) or (
            "set-cookie" in self.headers
        )

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        from requests import exceptions as rex
        from urllib3 import exceptions as u3

        try:
            yield from self._raw.stream(chunk_size, decode_content=True)
            self._consumed = True
        except u3.ProtocolError as err:
            raise rex.ChunkedEncodingError(err) from err
        except u3.DecodeError as err:
            raise rex.ContentDecodingError(err) from err
        except u3.ReadTimeoutError as err:
            raise rex.ConnectionError(err) from err
        except u3.SSLError as err:
            raise rex.SSLError(err) from err

    def close(self) -> None:
        """Give the connection back to the pool, or drop it if the body was not all read."""
        if not self._consumed:
            self._raw.close()
        self._raw.release_conn()


class _Sent:
    """The request a ``requests`` exception names (``failures`` reads its URL)."""

    __slots__ = ("method", "url")

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.url = url


def send(route: Route, target: str, url: str, timeout: tuple[float, float]) -> Answer:
    """Send ``GET target`` on the route; failures raised as ``requests`` raises them."""
    from requests import exceptions as rex
    from urllib3 import exceptions as u3
    from urllib3.util import Timeout

    sent: Any = _Sent("GET", url)
    try:
        raw = route.pool.urlopen(
            method="GET",
            url=target,
            body=None,
            headers=route.headers,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
            decode_content=False,
            retries=route.retries,
            timeout=Timeout(connect=timeout[0], read=timeout[1]),
        )
    except (u3.ProtocolError, OSError) as err:
        raise rex.ConnectionError(err, request=sent) from err
    except u3.MaxRetryError as err:
        reason = err.reason
        if isinstance(reason, u3.ConnectTimeoutError) and not isinstance(
            reason, u3.NewConnectionError
        ):
            raise rex.ConnectTimeout(err, request=sent) from err
        if isinstance(reason, u3.ResponseError):
            raise rex.RetryError(err, request=sent) from err
        if isinstance(reason, u3.SSLError):
            raise rex.SSLError(err, request=sent) from err
        raise rex.ConnectionError(err, request=sent) from err
    except u3.ClosedPoolError as err:
        raise rex.ConnectionError(err, request=sent) from err
    except u3.SSLError as err:
        raise rex.SSLError(err, request=sent) from err
    except u3.ReadTimeoutError as err:
        raise rex.ReadTimeout(err, request=sent) from err
    except u3.InvalidHeader as err:
        raise rex.InvalidHeader(err, request=sent) from err
    return Answer(raw)


__all__ = ["Answer", "Route", "route_for", "send"]
