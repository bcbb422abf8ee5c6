"""HTTP conformance: paths, headers, bodies, auth, key expiry, TLS."""

from __future__ import annotations

import json
import time

import pytest
import requests
from support.emulator import assert_error

from apinode_admin_cli.emulator import start_emulator


def test_dss_headers_and_json_everywhere(api, emulator):
    for response in (
        api("GET", "/admin/api/services"),
        requests.get(emulator.uri + "/isAlive/"),
        requests.get(emulator.uri + "/admin/api/services"),
        api("GET", "/nowhere"),
    ):
        assert response.headers["DSS-API-Version"] == "1"
        assert response.headers["DSS-Version"].endswith("-emulator")
        assert response.headers["Content-Type"] == "application/json"
        response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/api/services/s1/generations",
        "/admin/api/service/s1/generations",
        "/admin/api/services/s1/generations/",
        "//admin//api/services//s1/generations",
    ],
)
def test_path_spellings(api, path):
    api("POST", "/admin/api/services/", json={"serviceId": "s1"})
    assert api("GET", path).json() == {"generations": []}


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_json_body_whatever_the_content_type(api, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    body = json.dumps({"serviceId": "ct"})
    assert api("POST", "/admin/api/services", data=body, headers=headers).json() == {"ok": True}


def test_chunked_body(api):
    def chunks():
        yield b'{"serviceId":'
        yield b' "chunked"}'

    assert api("POST", "/admin/api/services", data=chunks()).ok
    assert api("GET", "/admin/api/services").json()[0]["serviceId"] == "chunked"


def test_empty_body_where_none_is_needed(api, make_archive):
    api("POST", "/admin/api/services", json={"serviceId": "e"})
    assert api("POST", "/admin/api/services/e/actions/disable", data=b"").json() == {"ok": True}
    key = api("POST", "/admin/api/keys").json()
    assert key["label"] is None and len(key["key"]) == 32


def test_auth_failures(emulator):
    url = emulator.uri + "/admin/api/services"
    for response, words in (
        (requests.get(url), "No API key"),
        (requests.get(url, auth=("nope", "")), "Invalid API key"),
        (requests.get(url, headers={"Authorization": "Bearer x"}), "Basic"),
        (requests.get(url, headers={"Authorization": "Basic !!!"}), "Malformed"),
    ):
        assert_error(response, 401, words)
        assert response.headers["WWW-Authenticate"].startswith("Basic ")
    assert requests.get(url, auth=(emulator.admin_key, "ignored")).ok


def test_a_bare_key_as_authorization_is_never_echoed(api, emulator):
    bare = {"Authorization": emulator.admin_key}  # a common mistake: no "Basic", no base64
    response = requests.get(emulator.uri + "/admin/api/services", headers=bare)
    assert_error(response, 401, "Basic")
    assert emulator.admin_key not in response.text
    wire = api("GET", "/__emulator__/requests").json()["requests"]
    assert wire[-1]["headers"]["Authorization"] == "***"


def test_key_expiry_forms(api, emulator):
    url = emulator.uri + "/admin/api/services"
    past_ms = int(time.time() * 1000) - 1000
    for expiry in (past_ms, "2001-01-01", "2001-01-01T00:00:00Z"):
        key = api("POST", "/admin/api/keys", json={"label": "old", "expiry": expiry}).json()
        assert isinstance(key["expiry"], int)
        assert_error(requests.get(url, auth=(key["key"], "")), 401, "expired")
    for expiry in ("2999-12-31", "2999-12-31T10:00:00+02:00", str(past_ms + 10**9)):
        key = api("POST", "/admin/api/keys", json={"label": "new", "expiry": expiry}).json()
        assert requests.get(url, auth=(key["key"], "")).ok
    listed = api("GET", "/admin/api/keys").json()
    assert all(set(k) == {"id", "key", "label", "description", "createdBy", "createdOn", "expiry"}
               and k["key"] == "******" for k in listed)  # fmt: skip


def test_keys_are_stored_hashed(api, emulator):
    import hashlib

    secret = api("POST", "/admin/api/keys", json={"label": "h"}).json()["key"]
    state = (emulator.data_dir / "config" / "adminkeys.json").read_text()
    assert secret not in state and emulator.admin_key not in state
    for stored in (secret, emulator.admin_key):  # written, as the SHA-256 the README promises
        assert hashlib.sha256(stored.encode()).hexdigest() in state


def test_log_lines_hide_keys(tmp_path):
    import base64
    import http.client
    import io

    log = io.StringIO()
    with start_emulator(data_dir=tmp_path, admin_key="TOPSECRET", log_stream=log) as node:
        created = requests.post(node.uri + "/admin/api/keys", auth=("TOPSECRET", "")).json()
        # Raw, so that no client normalises the percent-encoded "k" of "keys" away.
        conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
        basic = "Basic " + base64.b64encode(b"TOPSECRET:").decode()
        conn.request(
            "DELETE", f"/admin/api/%6Beys/{created['key']}", headers={"Authorization": basic}
        )
        assert conn.getresponse().read() == b'{"ok": true}'
        conn.close()
        requests.delete(node.uri + f"/admin/api/keys/{created['id']}/key", auth=("TOPSECRET", ""))
        requests.delete(node.uri + "/admin/api/keys/TOPSECRET", auth=("TOPSECRET", ""))
        requests.get(node.uri + "/isAlive")
    lines = log.getvalue().splitlines()
    assert len(lines) == 5, lines
    assert "TOPSECRET" not in log.getvalue() and created["key"] not in log.getvalue()
    assert '"DELETE /admin/api/keys/***" 200' in lines[1]
    assert f'"DELETE /admin/api/keys/{created["id"]}/key" 404' in lines[2]  # an id is no secret
    assert '"DELETE /admin/api/keys/***" 200' in lines[3]


def test_tls(tmp_path):
    trustme = pytest.importorskip("trustme")
    import ssl

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with start_emulator(data_dir=tmp_path / "d", ssl_context=context) as node:
        assert node.uri.startswith("https://127.0.0.1:")
        response = requests.get(node.uri + "/admin/api/services", auth=(node.admin_key, ""),
                                verify=str(bundle))  # fmt: skip
        assert response.json() == []
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(node.uri + "/isAlive")
