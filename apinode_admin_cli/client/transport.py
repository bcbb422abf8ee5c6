"""The one HTTP chokepoint: URL, auth, timeouts, TLS, retries, logging and error mapping.

Time limits: every attempt (connect, TLS, sending, headers and body) must end within ``timeout``
seconds, the connection being opened within ``min(connect_timeout, timeout)``; past that the
attempt fails with ``TimeoutFailure`` (``deadline`` module). An optional ``deadline``, a
``time.monotonic()`` value, bounds a whole request, retries and waits included: attempts are
shortened to end by then and no retry starts that would wait past it.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import time
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Union
from urllib.parse import quote, urlsplit

from apinode_admin_cli import __version__
from apinode_admin_cli.client import errormap, failures, limits
from apinode_admin_cli.client.concurrency import CONNECTIONS_PER_NODE
from apinode_admin_cli.client.exchange import send_direct, send_once
from apinode_admin_cli.client.result import ANSWER_LOST_NOTE, HttpResult
from apinode_admin_cli.client.retry import (
    GONE_MEANS_DONE,
    LOST_STATUSES,
    ONCE,
    REPEATABLE,
    RETRY_STATUSES,
    backoff_delay,
    default_policy,
    retry_after_delay,
)
from apinode_admin_cli.client.urls import ClientCert, check_cert, check_sendable
from apinode_admin_cli.errors import ConfigError, NotFoundError, TimeoutFailure
from apinode_admin_cli.redact import scrub

if TYPE_CHECKING:
    import requests

log = logging.getLogger("apinode_admin_cli.http")

DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
_UNSET = object()


class Transport:
    """A keep-alive session to one node that sends requests and maps every failure."""

    def __init__(
        self,
        root: str,
        api_key: Optional[str] = None,
        *,
        bearer_token: Optional[str] = None,
        verify: Union[bool, str] = True,
        cert: ClientCert = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        retries: int = 3,
        retry_after_cap: float = 30.0,
        backoff_base: float = 0.5,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        deadline: Optional[float] = None,
        auth_hint: str = errormap.ADMIN_AUTH_HINT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import requests

        from apinode_admin_cli.client.deadline import WatchedAdapter

        self.root = root.rstrip("/")
        self._api_key = api_key
        self._bearer = bearer_token
        for secret in (api_key, bearer_token):
            check_sendable(secret, auth_hint)
        self._verify = verify
        self._cert = check_cert(cert)
        if isinstance(verify, str) and not os.path.exists(verify):
            raise ConfigError(f"CA bundle not found: {verify}", hint="check --ca-bundle")
        self.timeout = limits.seconds("timeout", timeout)
        self.connect_timeout = limits.seconds("connect timeout", connect_timeout)
        self.retries = max(1, limits.whole("retries", retries))
        self.retry_after_cap = limits.seconds("retry_after_cap", retry_after_cap, zero=True)
        self.backoff_base = limits.seconds("backoff_base", backoff_base, zero=True)
        self.max_body_bytes = max(1, limits.whole("max_body_bytes", max_body_bytes))
        self.deadline: Optional[float] = None
        if deadline is not None:
            self.deadline = limits.number("deadline", deadline)
        self._auth_hint = auth_hint
        self._sleep = sleep
        self._host = urlsplit(self.root).netloc
        self._environments: dict[str, dict[str, Any]] = {}
        self._direct: Any = _UNSET
        self._session: requests.Session = requests.Session()
        self._session.headers["User-Agent"] = f"apinode-admin/{__version__}"
        adapter = WatchedAdapter(pool_maxsize=CONNECTIONS_PER_NODE)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    @property
    def secrets(self) -> list[Optional[str]]:
        """The credentials that must never show up in a message or a log."""
        return [self._api_key, self._bearer]

    def close(self) -> None:
        """Drop the pooled connections."""
        route, self._direct = self._direct, _UNSET
        if route is not _UNSET and route is not None:
            # urllib3 2 closes a pool's kept connections only once nothing holds the pool.
            route.pool.close()
        self._session.close()

    def url(self, path: Sequence[str]) -> str:
        """Absolute URL of ``path``, each segment percent-encoded (slashes included)."""
        return self.root + "/" + "/".join(map(_segment, path))

    def request(
        self,
        method: str,
        path: Sequence[str],
        *,
        params: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        files: Optional[Mapping[str, Any]] = None,
        sensitive: Sequence[str] = (),
        raise_for_status: bool = True,
        policy: Optional[str] = None,
        check: Optional[str] = None,
        changes: Optional[bool] = None,
    ) -> HttpResult:
        """Send one request with retries and return the answer, or raise a mapped error.

        ``policy`` says how the operation may be repeated (see ``retry``; by default reads and
        deletes repeat, other methods run once). ``changes`` says whether it changes the node
        (by default, every method but GET, HEAD and OPTIONS): when the answer to such a request
        is lost the error says it may have been applied, and ``check`` is the command that
        shows whether it was. ``files`` sends a multipart form instead of a JSON body (uploads).
        """
        import requests

        from apinode_admin_cli.client.deadline import DeadlinePassed

        method = method.upper()
        policy = policy or default_policy(method)
        if changes is None:
            changes = method not in ("GET", "HEAD", "OPTIONS")
        # Secrets in the path appear percent-encoded in URLs, so hide that spelling too.
        hidden = [*self.secrets, *sensitive, *(quote(s, safe="") for s in sensitive)]
        # Same bytes as the official client: json.dumps text, and no body at all when empty.
        data = json.dumps(body) if body else None
        route = None
        if method == "GET" and not params and data is None and not files:
            route = self._route()
        prepared: Optional[requests.PreparedRequest] = None
        if route is None:
            prepared = self._session.prepare_request(
                requests.Request(
                    method, self.url(path), params=params, data=data, files=files, auth=self._auth()
                )
            )
            url = prepared.url or ""
        else:
            joined = "/".join(map(_segment, path))
            url, target = f"{route.base}/{joined}", f"{route.base_path}/{joined}"
        shown = scrub(url, hidden)
        lost = False  # an earlier attempt may have reached the node, and its answer was lost
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retries
            budget = self._budget(method, shown)
            start = time.monotonic()
            try:
                result = None
                if route is not None:
                    result = send_direct(
                        route,
                        target,
                        url,
                        insecure=route.insecure,
                        connect_timeout=self.connect_timeout,
                        budget=budget,
                        max_body_bytes=self.max_body_bytes,
                        shown=shown,
                    )
                    if result is None:  # redirect, cookie, encoding: requests takes over
                        route = None
                        prepared = self._session.prepare_request(
                            requests.Request(method, url, auth=self._auth())
                        )
                if result is None:
                    assert prepared is not None
                    result = send_once(
                        self._session,
                        prepared,
                        environment=self._environment(prepared.url or ""),
                        connect_timeout=self.connect_timeout,
                        budget=budget,
                        max_body_bytes=self.max_body_bytes,
                        shown=shown,
                    )
            except (requests.RequestException, DeadlinePassed) as exc:
                ms = (time.monotonic() - start) * 1000
                if isinstance(exc, DeadlinePassed):
                    failure = failures.deadline_failure(self._host, budget)
                else:
                    connect = min(self.connect_timeout, budget)
                    failure = failures.classify(exc, self._host, connect, budget)
                lost = lost or not failure.never_sent
                again = failure.never_sent or (policy != ONCE and failure.retryable)
                self._log(
                    hidden,
                    "%s %s -> %s (%.0f ms, attempt %d/%d)",
                    method,
                    shown,
                    failure.kind,
                    ms,
                    attempt,
                    self.retries,
                )
                delay = backoff_delay(attempt, self.backoff_base, self.retry_after_cap)
                if again and not last and self._time_for(delay):
                    self._wait(hidden, delay)
                    continue
                if changes:
                    failure = failures.maybe_applied(failure, method, check)
                error = type(failure.error)(
                    scrub(failure.error.message, hidden), hint=failure.error.hint
                )
                error.may_have_applied = lost
                # requests' own message names the URL: keep it off the chain when that
                # URL carries a secret (delete_key), or a traceback would print it.
                raise error from (None if sensitive else exc)
            self._log(
                hidden,
                "%s %s -> %d %s (%.0f ms, attempt %d/%d)",
                method,
                shown,
                result.status,
                result.reason,
                result.elapsed_ms,
                attempt,
                self.retries,
            )
            if result.status in RETRY_STATUSES and policy != ONCE and not last:
                after = retry_after_delay(result.headers.get("Retry-After"), self.retry_after_cap)
                if after is None:
                    after = backoff_delay(attempt, self.backoff_base, self.retry_after_cap)
                if self._time_for(after):
                    lost = lost or result.status in LOST_STATUSES
                    self._wait(hidden, after)
                    continue
            if result.status >= 400 and raise_for_status:
                answer_error = errormap.http_error(
                    result.status,
                    result.reason,
                    result.content,
                    result.headers.get("Content-Type", ""),
                    attempts=attempt,
                    auth_hint=self._auth_hint,
                    secrets=hidden,
                    where=(self.root, method, _path_of(shown)),
                )
                if lost and policy == GONE_MEANS_DONE and isinstance(answer_error, NotFoundError):
                    self._log(hidden, "%s %s: %s", method, shown, ANSWER_LOST_NOTE)
                    return result.lost()
                if result.status in LOST_STATUSES and changes and policy != REPEATABLE:
                    how = f"`{check}`" if check else "the node's state"
                    answer_error.hint = (
                        f"a proxy answered {result.status}: the node may have applied the "
                        f"{method} all the same; check {how} before trying again"
                    )
                answer_error.may_have_applied = lost or result.status in LOST_STATUSES
                raise answer_error
            if raise_for_status:
                refused = errormap.not_a_node_success(
                    self.root, method, lambda: _path_of(shown), result, hidden
                )
                if refused is not None:
                    raise refused
            return result

    def _environment(self, url: str) -> dict[str, Any]:
        """Proxies, CA bundle and certificate for ``url``, as ``Session.request`` merges them.

        The merge reads the whole environment twice (proxies, then no_proxy); it depends on
        the scheme and host only, and the environment of a run does not change: once per origin.
        """
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        found = self._environments.get(origin)
        if found is None:
            ca: Union[bool, str, None] = None if self._verify is True else self._verify
            if _no_proxy_configured():
                # What the merge gives when no proxy is set: one look at the environment for
                # the whole run instead of two readings of all of it per node of a fleet.
                env_ca = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                verify = ca if ca is not None else (env_ca or True)
                merged: Mapping[str, Any] = {
                    "proxies": {}, "stream": True, "verify": verify, "cert": self._cert
                }  # fmt: skip
            else:
                merged = self._session.merge_environment_settings(url, {}, True, ca, self._cert)
            found = self._environments[origin] = dict(merged)
        # A copy: requests may add to what it is given.
        return {**found, "proxies": dict(found["proxies"])}

    def _route(self) -> Any:
        """The direct route of this node's plain reads (``direct``), None where there is none."""
        if self._session.cookies:  # requests sends them: every request goes its way from now
            return None
        if self._direct is _UNSET:
            from apinode_admin_cli.client.direct import route_for

            root = self.root + "/"
            self._direct = route_for(
                self._session, self.root, self._auth(), self._environment(root)
            )
        return self._direct

    def _budget(self, method: str, shown: str) -> float:
        """Seconds the next attempt may take: the timeout, or less near the overall deadline."""
        if self.deadline is None:
            return self.timeout
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutFailure(
                f"the overall deadline passed before {method} {shown} could be sent",
                hint="allow more time (the deadline option of the client)",
            )
        return min(self.timeout, left)

    def _time_for(self, wait: float) -> bool:
        """True when waiting ``wait`` seconds still leaves time before the overall deadline."""
        return self.deadline is None or time.monotonic() + wait < self.deadline

    def _auth(self) -> Any:
        from requests.auth import HTTPBasicAuth

        if self._api_key:
            return HTTPBasicAuth(self._api_key, "")
        if self._bearer:
            return _Bearer(self._bearer)
        return None

    def _wait(self, hidden: list[Optional[str]], seconds: float) -> None:
        self._log(hidden, "retrying in %.2f s", seconds)
        self._sleep(seconds)

    @staticmethod
    def _log(hidden: list[Optional[str]], fmt: str, *args: Any) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s", scrub(fmt % args, hidden))


# The variables that decide whether an http(s) URL goes through a proxy (urllib's
# getproxies(): <scheme>_proxy in either case, no_proxy, and REQUEST_METHOD under CGI).
_PROXY_VARIABLES = (
    "http_proxy", "https_proxy", "all_proxy", "no_proxy", "REQUEST_METHOD",
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
)  # fmt: skip
_proxies_seen: tuple[tuple[Optional[str], ...], bool] = ((), False)


def _no_proxy_configured() -> bool:
    """True when no http, https or "all" proxy is set, in the environment or the system's.

    ``urllib.request.getproxies`` reads every variable of the environment (and, on Windows
    and macOS, the system's settings); it is asked again only when one of the variables that
    can change its answer for http(s) changed.
    """
    global _proxies_seen
    snapshot = tuple(os.environ.get(name) for name in _PROXY_VARIABLES)
    seen, answer = _proxies_seen
    if seen != snapshot:
        import urllib.request

        proxies = urllib.request.getproxies()
        answer = not any(proxies.get(scheme) for scheme in ("http", "https", "all"))
        _proxies_seen = (snapshot, answer)
    return answer


@functools.lru_cache(maxsize=4096)
def _segment(segment: str) -> str:
    """One path segment percent-encoded, slashes included (a fleet asks for the same ones)."""
    return quote(segment, safe="")


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class _Bearer:
    """``Authorization: Bearer`` for services set up with OAuth2/JWT."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = "Bearer " + self.token
        return request
