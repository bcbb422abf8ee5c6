"""What the emulator takes from a package: its id, its endpoints, its errorRate; and mounting."""

from __future__ import annotations

import json
import zipfile

import pytest
import requests
from support.emulator import assert_error

SERVICES = "/admin/api/services"
IMPORT = SERVICES + "/churn/generations/actions/importFromArchive"


@pytest.fixture
def churn(api):
    assert api("POST", SERVICES, json={"serviceId": "churn"}).ok


def zip_with(path, manifest=None):
    with zipfile.ZipFile(path, "w") as archive:
        if manifest is not None:
            archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr("model/README.txt", "emulated")
    return str(path)


def generation_ids(api, service="churn"):
    listed = api("GET", f"{SERVICES}/{service}/generations").json()["generations"]
    return [g["generationId"] for g in listed]


def test_the_generation_id_is_the_manifest_version(api, churn, tmp_path):
    archive = zip_with(tmp_path / "churn-v2.zip", {"version": "v2", "endpoints": ["score"]})
    answer = api("POST", IMPORT, params={"filePath": archive})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"ok": True, "generationId": "v2"}
    assert generation_ids(api) == ["v2"]
    assert api("POST", SERVICES + "/churn/actions/switchTo/v2").ok


@pytest.mark.parametrize(
    "manifest",
    [None, {}, {"endpoints": ["score"]}, {"version": ""}, {"version": "a/b"}, {"version": 7}],
    ids=["no-manifest", "empty", "no-version", "empty-version", "slash", "number"],
)
def test_the_file_name_is_the_fallback(api, churn, tmp_path, manifest):
    archive = zip_with(tmp_path / "pkg-7.ZIP", manifest)
    assert api("POST", IMPORT, params={"filePath": archive}).json()["generationId"] == "pkg-7"
    assert generation_ids(api) == ["pkg-7"]


def test_two_archives_with_one_version_conflict(api, churn, tmp_path):
    first = zip_with(tmp_path / "a.zip", {"version": "v1"})
    second = zip_with(tmp_path / "b.zip", {"version": "v1"})
    assert api("POST", IMPORT, params={"filePath": first}).ok
    assert_error(api("POST", IMPORT, params={"filePath": second}), 409, "v1")


def _predict(emulator, endpoint, **body):
    body.setdefault("features", {"x": 1})
    url = f"{emulator.uri}/public/api/v1/churn/{endpoint}/predict"
    return requests.post(url, json=body, timeout=10)


def test_an_endpoint_the_package_does_not_declare_is_a_404(api, emulator, churn, tmp_path):
    archive = zip_with(tmp_path / "v1.zip", {"version": "v1", "endpoints": ["score", "explain"]})
    api("POST", IMPORT, params={"filePath": archive})
    api("POST", SERVICES + "/churn/actions/switchTo/v1")
    assert _predict(emulator, "score").json()["generation"] == "v1"
    assert _predict(emulator, "explain").ok
    assert_error(_predict(emulator, "nope"), 404, "'nope'", "score")
    multi = f"{emulator.uri}/public/api/v1/churn/nope/predict-multi"
    assert_error(requests.post(multi, json={"items": []}, timeout=10), 404, "nope")


def test_the_generation_that_serves_decides(api, emulator, churn, tmp_path):
    for version, endpoint in (("v1", "old"), ("v2", "new")):
        manifest = {"version": version, "endpoints": [endpoint]}
        archive = zip_with(tmp_path / f"{version}.zip", manifest)
        api("POST", IMPORT, params={"filePath": archive})
    api("POST", SERVICES + "/churn/actions/switchTo/v1")
    assert _predict(emulator, "old").ok
    assert_error(_predict(emulator, "new"), 404, "new")
    assert _predict(emulator, "new", dispatch={"forcedGeneration": "v2"}).ok


def test_a_package_declaring_no_endpoint_accepts_any(api, emulator, churn, tmp_path):
    api("POST", IMPORT, params={"filePath": zip_with(tmp_path / "v1.zip")})
    api("POST", SERVICES + "/churn/actions/switchTo/v1")
    assert _predict(emulator, "anything").ok


def mounted(api):
    listed = api("GET", f"{SERVICES}/churn/generations").json()["generations"]
    return {g["generationId"]: g["mounted"] for g in listed}


def test_a_generation_that_takes_traffic_is_mounted(api, emulator, churn, make_archive):
    for name in ("v1", "v2", "v3", "v4"):
        api("POST", IMPORT, params={"filePath": str(make_archive(name))})
    assert mounted(api) == dict.fromkeys(("v1", "v2", "v3", "v4"), False)
    assert api("POST", SERVICES + "/churn/actions/switchTo/v1").ok
    assert mounted(api) == {"v1": True, "v2": False, "v3": False, "v4": False}
    mapping = {"entries": [{"generation": "v1", "proba": 0}, {"generation": "v2", "proba": 1}]}
    assert api("POST", SERVICES + "/churn/actions/setMapping", json=mapping).ok
    assert mounted(api) == {"v1": True, "v2": True, "v3": False, "v4": False}
    assert api("POST", SERVICES + "/churn/actions/switchToNewest").ok
    assert mounted(api)["v4"] is True and mounted(api)["v3"] is False
    assert _predict(emulator, "p", dispatch={"forcedGeneration": "v3"}).ok
    assert mounted(api)["v3"] is True
    # Once loaded, a generation stays loaded: disabling or remapping unloads nothing.
    assert api("POST", SERVICES + "/churn/actions/disable").ok
    assert mounted(api) == dict.fromkeys(("v1", "v2", "v3", "v4"), True)


@pytest.mark.parametrize(
    "rate", [-0.1, 1.5, "0.5", True, None, [0.5], float("nan"), float("inf"), 10**400]
)
def test_a_bad_error_rate_refuses_the_import(api, churn, make_archive, rate):
    response = api("POST", IMPORT, params={"filePath": str(make_archive("v1", errorRate=rate))})
    assert_error(response, 400, "errorRate", "between 0 and 1")
    assert generation_ids(api) == []


def _rehearsal(api, make_archive, rate):
    api("POST", IMPORT, params={"filePath": str(make_archive("v1"))})
    api("POST", IMPORT, params={"filePath": str(make_archive("v2", errorRate=rate))})
    mapping = {"entries": [{"generation": "v1", "proba": 0.5}, {"generation": "v2", "proba": 0.5}]}
    assert api("POST", SERVICES + "/churn/actions/setMapping", json=mapping).ok


def test_error_rate_without_dispatch_key_fails_that_share_in_order(
    api, emulator, churn, make_archive
):
    _rehearsal(api, make_archive, 0.25)
    forced = {"forcedGeneration": "v2"}
    statuses = [_predict(emulator, "p", dispatch=forced).status_code for _ in range(8)]
    assert statuses == [200, 200, 200, 500] * 2  # floor(n * 0.25) of the first n fail
    assert _predict(emulator, "p", dispatch=forced).ok  # the 9th: floor(9 * 0.25) is still 2
    healthy = [_predict(emulator, "p", dispatch={"forcedGeneration": "v1"}) for _ in range(8)]
    assert all(r.ok for r in healthy)
    endpoint = api("GET", "/admin/api/metrics").json()["services"]["churn"]["endpoints"]["p"]
    assert endpoint["errors"] == 2 and endpoint["generations"] == {"v2": 9, "v1": 8}


def test_error_rate_is_fixed_per_dispatch_key(api, emulator, churn, make_archive):
    _rehearsal(api, make_archive, 0.5)
    outcomes = {}
    for i in range(60):
        key = f"customer-{i}"
        first = _predict(emulator, "p", dispatch={"dispatchKey": key})
        again = _predict(emulator, "p", dispatch={"dispatchKey": key}, features={"other": i})
        assert first.status_code == again.status_code, key
        if first.status_code == 500:
            assert_error(first, 500, "errorRate", "v2")
        else:
            assert first.status_code == 200, first.text
        outcomes[key] = (first.status_code, first.json().get("generation"))
    failed = [k for k, (status, _) in outcomes.items() if status == 500]
    served = {g for status, g in outcomes.values() if status == 200}
    assert failed and served == {"v1", "v2"}  # some of v2's keys fail, the others are served


def test_an_error_rate_of_one_fails_every_prediction(api, emulator, churn, make_archive):
    api("POST", IMPORT, params={"filePath": str(make_archive("v1", errorRate=1))})
    api("POST", SERVICES + "/churn/actions/switchTo/v1")
    for dispatch in (None, {"dispatchKey": "k"}):
        assert_error(_predict(emulator, "p", dispatch=dispatch), 500, "Emulated failure")
    multi = f"{emulator.uri}/public/api/v1/churn/p/predict-multi"
    response = requests.post(multi, json={"items": [{"features": {}}]}, timeout=10)
    assert_error(response, 500, "errorRate 1")
