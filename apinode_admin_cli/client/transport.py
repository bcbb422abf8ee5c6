"""The one HTTP chokepoint: URL, auth, timeouts, TLS, retries, logging and error mapping."""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence, Union
from urllib.parse import quote, urlsplit

from apinode_admin_cli import __version__
from apinode_admin_cli.client import errormap
from apinode_admin_cli.client.result import HttpResult
from apinode_admin_cli.client.retry import (
    IDEMPOTENT_METHODS,
    RETRY_STATUSES,
    backoff_delay,
    retry_after_delay,
)
from apinode_admin_cli.client.urls import ClientCert, check_cert
from apinode_admin_cli.errors import ConfigError, InvalidResponseError
from apinode_admin_cli.redact import scrub

if TYPE_CHECKING:
    import requests

log = logging.getLogger("apinode_admin_cli.http")

DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024


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
        auth_hint: str = errormap.ADMIN_AUTH_HINT,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        import requests

        self.root = root.rstrip("/")
        self._api_key = api_key
        self._bearer = bearer_token
        for secret in (api_key, bearer_token):
            _check_sendable(secret, auth_hint)
        self._verify = verify
        self._cert = check_cert(cert)
        if isinstance(verify, str) and not os.path.exists(verify):
            raise ConfigError(f"CA bundle not found: {verify}", hint="check --ca-bundle")
        self.timeout = float(timeout)
        self.connect_timeout = float(connect_timeout)
        self.retries = max(1, int(retries))
        self.retry_after_cap = float(retry_after_cap)
        self.backoff_base = float(backoff_base)
        self.max_body_bytes = int(max_body_bytes)
        self._auth_hint = auth_hint
        self._sleep = sleep
        self._host = urlsplit(self.root).netloc
        self._session: requests.Session = requests.Session()
        self._session.headers["User-Agent"] = f"apinode-admin/{__version__}"

    @property
    def secrets(self) -> list[Optional[str]]:
        """The credentials that must never show up in a message or a log."""
        return [self._api_key, self._bearer]

    def close(self) -> None:
        """Drop the pooled connections."""
        self._session.close()

    def url(self, path: Sequence[str]) -> str:
        """Absolute URL of ``path``, each segment percent-encoded (slashes included)."""
        return self.root + "/" + "/".join(quote(seg, safe="") for seg in path)

    def request(
        self,
        method: str,
        path: Sequence[str],
        *,
        params: Optional[Mapping[str, Any]] = None,
        body: Any = None,
        sensitive: Sequence[str] = (),
        raise_for_status: bool = True,
    ) -> HttpResult:
        """Send one request with retries and return the answer, or raise a mapped error."""
        import requests

        method = method.upper()
        # Secrets in the path appear percent-encoded in URLs, so hide that spelling too.
        hidden = [*self.secrets, *sensitive, *(quote(s, safe="") for s in sensitive)]
        # Same bytes as the official client: json.dumps text, and no body at all when empty.
        data = json.dumps(body) if body else None
        prepared = self._session.prepare_request(
            requests.Request(method, self.url(path), params=params, data=data, auth=self._auth())
        )
        shown = scrub(prepared.url or "", hidden)
        idempotent = method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retries
            start = time.monotonic()
            try:
                result = self._send(prepared, method, shown)
            except requests.RequestException as exc:
                ms = (time.monotonic() - start) * 1000
                failure = errormap.classify(exc, self._host, self.connect_timeout, self.timeout)
                error = type(failure.error)(
                    scrub(failure.error.message, hidden), hint=failure.error.hint
                )
                retry = not last and (failure.never_sent or (idempotent and failure.retryable))
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
                if not retry:
                    # requests' own message names the URL: keep it off the chain when that
                    # URL carries a secret (delete_key), or a traceback would print it.
                    raise error from (None if sensitive else exc)
                self._wait(hidden, backoff_delay(attempt, self.backoff_base, self.retry_after_cap))
                continue
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
            if result.status in RETRY_STATUSES and idempotent and not last:
                after = retry_after_delay(result.headers.get("Retry-After"), self.retry_after_cap)
                if after is None:
                    after = backoff_delay(attempt, self.backoff_base, self.retry_after_cap)
                self._wait(hidden, after)
                continue
            if result.status >= 400 and raise_for_status:
                raise errormap.http_error(
                    result.status,
                    result.reason,
                    result.content,
                    result.headers.get("Content-Type", ""),
                    attempts=attempt,
                    auth_hint=self._auth_hint,
                    secrets=hidden,
                )
            return result

    def _auth(self) -> Any:
        from requests.auth import HTTPBasicAuth

        if self._api_key:
            return HTTPBasicAuth(self._api_key, "")
        if self._bearer:
            return _Bearer(self._bearer)
        return None

    def _send(self, prepared: requests.PreparedRequest, method: str, shown: str) -> HttpResult:
        """One exchange, reading at most ``max_body_bytes`` of the answer."""
        verify: Union[bool, str, None] = None if self._verify is True else self._verify
        # Same merge as Session.request, so proxies and REQUESTS_CA_BUNDLE from the env apply.
        settings = self._session.merge_environment_settings(
            prepared.url, {}, True, verify, self._cert
        )
        start = time.monotonic()
        with warnings.catch_warnings():
            if self._verify is False:
                # The CLI prints its own warning once; urllib3's repeats on every request.
                from urllib3.exceptions import InsecureRequestWarning

                warnings.simplefilter("ignore", InsecureRequestWarning)
            response = self._session.send(
                prepared,
                timeout=(self.connect_timeout, self.timeout),
                allow_redirects=True,
                **settings,
            )
        try:
            content = self._read(response, method, shown)
        finally:
            response.close()
        return HttpResult(
            method=method,
            url=shown,
            status=response.status_code,
            reason=response.reason or "",
            headers=response.headers,
            content=content,
            elapsed_ms=(time.monotonic() - start) * 1000,
        )

    def _read(self, response: requests.Response, method: str, shown: str) -> bytes:
        limit = self.max_body_bytes
        declared = response.headers.get("Content-Length", "")
        too_big = InvalidResponseError(
            f"the answer to {method} {shown} is larger than {limit} bytes; refusing to read it",
            hint="is the URI pointing at the API node? the limit protects memory",
        )
        if declared.isdigit() and int(declared) > limit:
            raise too_big
        chunks: list[bytes] = []
        total = 0
        for chunk in response.iter_content(chunk_size=65536):
            total += len(chunk)
            if total > limit:
                raise too_big
            chunks.append(chunk)
        return b"".join(chunks)

    def _wait(self, hidden: list[Optional[str]], seconds: float) -> None:
        self._log(hidden, "retrying in %.2f s", seconds)
        self._sleep(seconds)

    @staticmethod
    def _log(hidden: list[Optional[str]], fmt: str, *args: Any) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s", scrub(fmt % args, hidden))


def _check_sendable(secret: Optional[str], hint: str) -> None:
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


class _Bearer:
    """``Authorization: Bearer`` for services set up with OAuth2/JWT."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = "Bearer " + self.token
        return request
