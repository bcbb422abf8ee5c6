"""Construction, URIs, TLS, ping, import cost and the retry timing helpers."""

from __future__ import annotations

import ssl
import subprocess
import sys
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Callable

import pytest
import trustme
from support.fault_server import KEY, RecordingServer

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient, PingResult
from apinode_admin_cli.client.retry import backoff_delay, retry_after_delay
from apinode_admin_cli.errors import (
    AuthenticationError,
    ConfigError,
    ConnectionFailure,
    TLSFailure,
    UsageError,
)

Make = Callable[..., APINodeAdminClient]


@pytest.mark.parametrize(
    "uri",
    [
        "host:12000",
        "ftp://host:12000",
        "http://host:12000/admin/api",
        "http://h:1/?x=1",
        "http://user:pw@host:1",
        "http://host:notaport",
        "",
        "http://",
    ],
)
def test_bad_uris_are_config_errors(uri: str) -> None:
    with pytest.raises(ConfigError) as info:
        APINodeAdminClient(uri, KEY)
    assert info.value.exit_code == 3 and info.value.hint


@pytest.mark.parametrize(
    "uri", ["http://h:12000", "http://h:12000/", "HTTPS://h", "https://[::1]:1"]
)
def test_good_uris(uri: str) -> None:
    with APINodeAdminClient(uri, KEY) as client:
        assert client.base_uri.endswith("/admin/api") and "//admin" not in client.base_uri


@pytest.mark.parametrize("bad", ["", ".", ".."])
def test_unusable_ids_are_usage_errors(bad: str) -> None:
    with APINodeAdminClient("http://h:1", KEY) as client, pytest.raises(UsageError):
        client.service(bad).enable()


def test_missing_tls_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CA bundle"):
        APINodeAdminClient("https://h:1", KEY, ca_bundle=str(tmp_path / "nope.pem"))
    with pytest.raises(ConfigError, match="client certificate"):
        APINodeAdminClient("https://h:1", KEY, client_certificate=str(tmp_path / "c.pem"))


def test_insecure_tls_is_accepted_with_a_deprecation_warning() -> None:
    with pytest.warns(DeprecationWarning, match="no_check_certificate"):
        APINodeAdminClient("https://h:1", KEY, insecure_tls=True).close()


def test_unknown_arguments_are_ignored_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="ignoring unknown arguments: colour, shape"):
        client = APINodeAdminClient("http://h:1", KEY, shape=1, colour=2, retries=5)
    assert client._transport.retries == 5
    client.close()


def test_default_timeouts_and_retries() -> None:
    for client in (APINodeAdminClient("http://h:1", KEY), APINodeClient("http://h:1", "s")):
        transport = client._transport
        assert (transport.connect_timeout, transport.timeout) == (10.0, 60.0)
        assert (transport.retries, transport.retry_after_cap) == (3, 30.0)
        assert transport.backoff_base == 0.5 and transport.max_body_bytes == 64 * 1024 * 1024
        client.close()


def test_repr_hides_the_key() -> None:
    assert KEY not in repr(APINodeAdminClient("http://h:1", KEY))


def test_importing_the_client_does_not_import_requests() -> None:
    code = (
        "import sys; from apinode_admin_cli.client import APINodeAdminClient; "
        "assert 'requests' not in sys.modules and 'urllib3' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_dns_failure_is_a_connection_failure(make_client: Make) -> None:
    client = make_client(uri="http://no-such-host.invalid:12000", retries=1)
    with pytest.raises(ConnectionFailure) as info:
        client.list_services()
    assert type(info.value) is ConnectionFailure
    assert "no-such-host.invalid" in info.value.message


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[RecordingServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with RecordingServer(tls=context) as srv:
        yield srv


def test_tls_unknown_ca_fails_with_a_hint(tls_server: RecordingServer, make_client: Make) -> None:
    with pytest.raises(TLSFailure) as info:
        make_client(uri=tls_server.url).list_services()
    assert "certificate" in info.value.message
    assert "--ca-bundle" in (info.value.hint or "") and "--no-check-certificate" in (
        info.value.hint or ""
    )
    assert info.value.exit_code == 7


def test_tls_with_ca_bundle(
    tls_server: RecordingServer, make_client: Make, ca: Any, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    assert make_client(uri=tls_server.url, ca_bundle=str(bundle)).list_services() == []


def test_no_check_certificate_is_quiet(tls_server: RecordingServer, make_client: Make) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = make_client(uri=tls_server.url, no_check_certificate=True)
        assert client.list_services() == []


def test_https_to_a_plain_http_node_hints_at_scheme(
    server: RecordingServer, make_client: Make
) -> None:
    uri = server.url.replace("http://", "https://")
    with pytest.raises(TLSFailure) as info:
        make_client(uri=uri).list_services()
    assert "http://" in (info.value.hint or "")


def test_plain_http_to_a_tls_node_fails_cleanly(
    tls_server: RecordingServer, make_client: Make
) -> None:
    uri = tls_server.url.replace("https://", "http://")
    with pytest.raises(ConnectionFailure):
        make_client(uri=uri, retries=1, timeout=2).list_services()


def test_ping(server: RecordingServer, make_client: Make) -> None:
    versions = {"DSS-Version": "13.4.0", "DSS-API-Version": "1", "Content-Type": "application/json"}
    server.queue("GET", "/isAlive/", headers=versions)
    server.queue("GET", "/admin/api/services", json_body=[], headers=versions)
    result = make_client().ping()
    assert isinstance(result, PingResult)
    assert result.alive and result.authenticated and result.status == 200
    assert result.dss_version == "13.4.0" and result.dss_api_version == "1"
    assert result.elapsed_ms > 0
    assert [r.path for r in server.requests] == ["/isAlive/", "/admin/api/services"]
    assert "Authorization" in server.requests[1].headers


def test_ping_with_a_refused_key(server: RecordingServer, make_client: Make) -> None:
    server.queue("GET", "/admin/api/services", 401, {"message": "Invalid key"})
    result = make_client().ping()
    assert result.alive and not result.authenticated
    assert result.status == 401 and result.message == "Invalid key"


def test_ping_does_not_swallow_other_errors(make_client: Make) -> None:
    with pytest.raises(ConnectionFailure):
        make_client(uri="http://127.0.0.1:9", retries=1).ping()
    assert not issubclass(ConnectionFailure, AuthenticationError)


def test_backoff_is_full_jitter_and_capped() -> None:
    assert backoff_delay(1, 0.5, 30, rand=lambda: 1.0) == 0.5
    assert backoff_delay(3, 0.5, 30, rand=lambda: 1.0) == 2.0
    assert backoff_delay(10, 0.5, 30, rand=lambda: 1.0) == 30
    assert backoff_delay(3, 0.5, 30, rand=lambda: 0.0) == 0.0


def test_retry_after_parsing() -> None:
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    date = format_datetime(now + timedelta(seconds=12), usegmt=True)
    assert retry_after_delay(date, 30, now=now.timestamp) == pytest.approx(12)
    assert retry_after_delay("5", 30) == 5
    assert retry_after_delay("500", 30) == 30
    assert retry_after_delay("-3", 30) == 0
    for junk in (None, "", "soon", "nan"):
        assert retry_after_delay(junk, 30) is None
