"""Fault injection over real sockets: statuses, bodies, delays, drops, counts."""

from __future__ import annotations

import time

import pytest
import requests
from support.emulator import assert_error

SERVICES = "/admin/api/services"


def test_status_with_retry_after_then_normal(api, emulator):
    emulator.add_fault(match={"method": "GET", "path": SERVICES}, count=2, status=503, retryAfter=2)
    for _ in range(2):
        response = api("GET", SERVICES)
        assert_error(response, 503, "Injected fault")
        assert response.headers["Retry-After"] == "2"
        assert response.headers["DSS-Version"]
    assert api("GET", SERVICES).json() == []
    assert emulator.faults == []


def test_html_body_like_a_proxy(api, emulator):
    page = "<html><body>502 Bad Gateway</body></html>"
    emulator.add_fault(path="/admin/api", status=502, body=page)
    response = api("GET", "/admin/api/keys")
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "text/html"
    assert response.text == page
    assert "DSS-Version" not in response.headers


def test_faults_match_method_and_segment_prefix(api, emulator):
    emulator.add_fault(match={"method": "POST", "path": SERVICES}, status=500)
    assert api("GET", SERVICES).ok  # another method
    assert api("DELETE", "/admin/api/services-clean-unused").ok  # not a segment prefix
    assert api("POST", SERVICES, json={"serviceId": "x"}).status_code == 500
    assert api("POST", SERVICES, json={"serviceId": "x"}).ok


def test_regex_match(api, emulator):
    emulator.add_fault(match={"pathRegex": r"/generations$"}, status=404, body={"custom": True})
    api("POST", SERVICES, json={"serviceId": "s"})
    response = api("GET", f"{SERVICES}/s/generations")
    assert response.status_code == 404 and response.json() == {"custom": True}


def test_delay(api, emulator):
    emulator.add_fault(path=SERVICES, delayMs=300)
    started = time.monotonic()
    assert api("GET", SERVICES).ok
    assert time.monotonic() - started >= 0.3
    with pytest.raises(requests.exceptions.ReadTimeout):
        emulator.add_fault(path=SERVICES, delayMs=500)
        api("GET", SERVICES, timeout=0.1)


def test_dropped_connection(api, emulator):
    emulator.add_fault(path=SERVICES, drop=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        api("GET", SERVICES)
    assert api("GET", SERVICES).ok


def test_mid_body_drop(api, emulator):
    emulator.add_fault(path=SERVICES, drop="mid-body")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api("POST", SERVICES, json={"serviceId": "half"})
    # The work was done before the answer was cut, as on a real network failure.
    assert api("GET", SERVICES).json() == [{"serviceId": "half", "enabled": True}]


def test_faults_http_api(api, emulator):
    spec = {"match": {"method": "GET", "path": "/isAlive"}, "count": 3, "status": 503}
    created = api("POST", "/__emulator__/faults", json=spec).json()
    assert created["ok"] is True and created["fault"]["count"] == 3
    listed = api("GET", "/__emulator__/faults").json()["faults"]
    assert [f["id"] for f in listed] == [created["fault"]["id"]]
    assert requests.get(emulator.uri + "/isAlive").status_code == 503
    assert api("DELETE", "/__emulator__/faults").json() == {"ok": True, "cleared": 1}
    assert requests.get(emulator.uri + "/isAlive").ok
    assert_error(api("POST", "/__emulator__/faults", json={"status": 9}), 400, "status")
    assert_error(api("POST", "/__emulator__/faults", json={"count": 2}), 400, "at least one")
    assert_error(api("POST", "/__emulator__/faults", json={"zap": 1}), 400, "zap")
    assert_error(api("POST", "/__emulator__/faults", json={"drop": "x"}), 400, "drop")
    for field, value in (("contentType", 5), ("retryAfter", [1]), ("headers", {"X": "a\r\nY: b"})):
        invalid = {"status": 503, field: value}
        assert_error(api("POST", "/__emulator__/faults", json=invalid), 400, field)
    assert emulator.faults == []
    bad_regex = {"match": {"pathRegex": "("}, "status": 500}
    assert_error(api("POST", "/__emulator__/faults", json=bad_regex), 400, "pathRegex")
    assert_error(requests.get(emulator.uri + "/__emulator__/faults"), 401)


def test_latency_option(tmp_path):
    from apinode_admin_cli.emulator import start_emulator

    with start_emulator(data_dir=tmp_path, latency_ms=150) as slow:
        started = time.monotonic()
        assert requests.get(slow.uri + "/isAlive").ok
        assert time.monotonic() - started >= 0.15


def test_journal(api, emulator):
    emulator.clear_received()
    api("POST", f"{SERVICES}/a%20b/generations/actions/importFromArchive?filePath=/x%20y.zip")
    api("POST", SERVICES, data=b'{"serviceId": "j"}')
    first, second = emulator.received[-2:]
    assert first["method"] == "POST"
    assert first["path"] == f"{SERVICES}/a%20b/generations/actions/importFromArchive"
    assert first["decoded_path"] == f"{SERVICES}/a b/generations/actions/importFromArchive"
    assert first["raw_query"] == "filePath=/x%20y.zip"
    assert first["query"] == {"filePath": "/x y.zip"}
    assert second["body"] == b'{"serviceId": "j"}'
    assert "Content-Type" not in second["headers"]
    assert second["headers"]["Authorization"].startswith("Basic ")
    wire = api("GET", "/__emulator__/requests").json()["requests"]
    assert wire[-1]["body"] == '{"serviceId": "j"}'
    assert wire[-1]["headers"]["Authorization"] == "Basic ***"
    assert all(not r["path"].startswith("/__emulator__") for r in wire)
    assert api("DELETE", "/__emulator__/requests").ok
    assert emulator.received == []


def test_a_dropped_connection_is_logged_as_dropped(tmp_path):
    import io

    from apinode_admin_cli.emulator import start_emulator

    log = io.StringIO()
    with start_emulator(data_dir=tmp_path, admin_key="k", log_stream=log) as node:
        node.add_fault(path="/isAlive", drop=True, status=503)  # drop wins over the status
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(node.uri + "/isAlive", timeout=10)
        node.add_fault(path="/isAlive", status=503)
        assert requests.get(node.uri + "/isAlive", timeout=10).status_code == 503
    first, second = log.getvalue().splitlines()
    assert '"GET /isAlive" dropped ' in first, first
    assert '"GET /isAlive" 503 ' in second, second


@pytest.mark.parametrize(
    "fault_path, request_path",
    [
        ("/admin/api/services/s/generations", "/admin/api/service/s/generations"),
        ("/admin/api/service/s", "/admin/api/services/s/generations"),
        ("/admin/api/services", "/admin/api/service/s/generations"),
    ],
)
def test_both_spellings_of_the_services_route_match(api, emulator, fault_path, request_path):
    api("POST", SERVICES, json={"serviceId": "s"})
    emulator.add_fault(path=fault_path, status=503)
    assert_error(api("GET", request_path), 503, "Injected fault")
    assert api("GET", request_path).json() == {"generations": []}
