"""Bad inputs get a 4xx JSON error naming the problem, never a 500."""

from __future__ import annotations

import pytest
from support.emulator import assert_error

SERVICES = "/admin/api/services"


@pytest.fixture
def service(api, make_archive):
    assert api("POST", SERVICES, json={"serviceId": "svc"}).ok
    url = f"{SERVICES}/svc/generations/actions/importFromArchive"
    assert api("POST", url, params={"filePath": str(make_archive("v1"))}).ok
    return f"{SERVICES}/svc"


def test_missing_archive_names_the_path(api, service, tmp_path):
    missing = tmp_path / "nowhere" / "v9.zip"
    url = f"{service}/generations/actions/importFromArchive"
    assert_error(api("POST", url, params={"filePath": str(missing)}), 400, str(missing))
    assert_error(api("POST", url), 400, "filePath")
    assert_error(api("POST", url, params={"filePath": str(tmp_path)}), 400, "not a file")


def test_non_zip_archive_refused(api, service, tmp_path):
    fake = tmp_path / "v2.zip"
    fake.write_text("not a zip")
    url = f"{service}/generations/actions/importFromArchive"
    assert_error(api("POST", url, params={"filePath": str(fake)}), 400, "not a valid zip", "v2")


def test_duplicate_generation_and_service_conflict(api, service, make_archive):
    url = f"{service}/generations/actions/importFromArchive"
    assert_error(api("POST", url, params={"filePath": str(make_archive("v1"))}), 409, "v1")
    assert_error(api("POST", SERVICES, json={"serviceId": "svc"}), 409, "svc")


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2", b'{"serviceId": '])
def test_malformed_json_body(api, body):
    assert_error(api("POST", SERVICES, data=body), 400, "Malformed JSON")


@pytest.mark.parametrize(
    "mapping, words",
    [
        ({"entries": [{"generation": "v1", "proba": 0.9}]}, ["sum to 0.9"]),
        ({"entries": [{"generation": "v7", "proba": 1}]}, ["unknown generation", "v7"]),
        ({"entries": []}, ["no entries"]),
        ({}, ["entries"]),
        ([], ["JSON object"]),
        ({"entries": [{"generation": "v1", "proba": "1"}]}, ["numeric"]),
        ({"entries": [{"generation": "v1", "proba": 0.5}] * 2}, ["twice"]),
        ({"entries": [{"proba": 1}]}, ["generation"]),
    ],
)
def test_bad_mappings(api, service, mapping, words):
    assert_error(api("POST", f"{service}/actions/setMapping", json=mapping), 400, *words)


def test_unknown_generation_and_service(api, service):
    assert_error(api("POST", f"{service}/actions/switchTo/v9"), 404, "v9")
    assert_error(api("POST", f"{service}/generations/v9/preload"), 404, "v9")
    assert_error(api("GET", f"{SERVICES}/ghost/generations"), 404, "ghost")
    assert_error(api("DELETE", f"{SERVICES}/ghost"), 404, "ghost")


def test_switch_to_newest_without_generations(api):
    assert api("POST", SERVICES, json={"serviceId": "empty"}).ok
    assert_error(api("POST", f"{SERVICES}/empty/actions/switchToNewest"), 400, "no generation")


@pytest.mark.parametrize(
    "body, words",
    [
        ({"serviceId": ""}, ["empty"]),
        ({"serviceId": "a/b"}, ["'/'"]),
        ({"serviceId": "tab\there"}, ["control"]),
        ({"serviceId": " padded"}, ["whitespace"]),
        ({"serviceId": ".."}, ["reserved"]),
        ({"serviceId": 42}, ["string"]),
        ({}, ["serviceId"]),
    ],
)
def test_bad_service_ids(api, body, words):
    assert_error(api("POST", SERVICES, json=body), 400, *words)


def test_percent_encoded_slash_in_path_refused(api):
    assert_error(api("GET", f"{SERVICES}/a%2Fb/generations"), 400, "'/'")
    assert_error(api("GET", f"{SERVICES}/%FF/generations"), 400, "UTF-8")


def test_odd_but_valid_ids_round_trip(api):
    for odd in ("with space", "unicodé-ß-日本", "dots.and_under-score", "per%cent"):
        assert api("POST", SERVICES, json={"serviceId": odd}).ok
        encoded = requests_quote(odd)
        assert api("GET", f"{SERVICES}/{encoded}/generations").json() == {"generations": []}
    listed = {s["serviceId"] for s in api("GET", SERVICES).json()}
    assert "unicodé-ß-日本" in listed and "with space" in listed


def requests_quote(text):
    from urllib.parse import quote

    return quote(text, safe="")


@pytest.mark.parametrize(
    "params, words",
    [
        ({"fileDir": "/definitely/not/here", "language": "python"}, ["/definitely/not/here"]),
        ({"language": "python"}, ["fileDir"]),
        ({"fileDir": "/", "language": "cobol"}, ["cobol", "python"]),
    ],
)
def test_code_env_inputs(api, params, words):
    assert_error(api("POST", "/admin/api/cached-code-envs", params=params), 400, *words)


def test_register_and_model_cache_inputs(api, tmp_path):
    params = {"exportedEnvDir": str(tmp_path), "builtEnvDir": "/no/such", "language": "R"}
    assert_error(api("POST", "/admin/api/register-global-code-env", params=params), 400, "/no/such")
    params = {"modelArchivePath": str(tmp_path)}
    assert_error(api("POST", "/admin/api/model-cache", params=params), 400, "not a file")


@pytest.mark.parametrize("expiry", ["tomorrow", True, [1], "2030-13-45", 10**400])
def test_bad_key_expiry(api, expiry):
    assert_error(api("POST", "/admin/api/keys", json={"expiry": expiry}), 400, "expiry")


def test_bad_key_fields(api):
    assert_error(api("POST", "/admin/api/keys", json={"label": 3}), 400, "label")
    assert_error(api("POST", "/admin/api/keys", json=["x"]), 400, "JSON object")


def test_unknown_route_and_wrong_method(api):
    assert_error(api("GET", "/admin/api/nothing-here"), 404, "nothing-here")
    response = api("PUT", SERVICES)
    assert_error(response, 405, "PUT")
    assert "GET" in response.headers["Allow"]
    assert_error(api("GET", "/somewhere/else"), 404)


def test_predict_errors(api, service, emulator):
    url = emulator.uri + "/public/api/v1/svc/predict/predict"
    import requests

    assert_error(requests.post(url, json={"features": {}}), 503, "no active generation")
    assert api("POST", f"{service}/actions/switchTo/v1").ok
    assert_error(requests.post(url, data=b"nope"), 400, "Malformed JSON")
    assert_error(requests.post(url, json={"features": [1]}), 400, "features")
    bad_dispatch = {"features": {}, "dispatch": {"forcedGeneration": "v9"}}
    assert_error(requests.post(url, json=bad_dispatch), 404, "v9")
    assert_error(requests.post(url, json={"features": {}, "dispatch": 3}), 400, "dispatch")
    multi = emulator.uri + "/public/api/v1/svc/predict/predict-multi"
    assert_error(requests.post(multi, json={"items": 3}), 400, "items")
    ghost = emulator.uri + "/public/api/v1/ghost/predict/predict"
    assert_error(requests.post(ghost, json={"features": {}}), 404, "ghost")
    assert api("POST", f"{service}/actions/disable").ok
    assert_error(requests.post(url, json={"features": {}}), 503, "disabled")
    # Every refused request of an existing service is counted; unknown services are not.
    counted = api("GET", "/admin/api/metrics").json()["services"]
    assert set(counted) == {"svc"}
    assert counted["svc"]["requests"] == counted["svc"]["errors"] == 7
    assert counted["svc"]["endpoints"]["predict"]["records"] == 0
