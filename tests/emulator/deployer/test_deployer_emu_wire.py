"""The deployer emulator on the wire: prefixes, auth, errors, futures and injected faults."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests
from support.deployer_emulator import package


@pytest.fixture(scope="module")
def call(deployer):
    """``call(METHOD, "api-deployer/...", prefix=..., auth=...)`` with the key as Basic user."""

    def run(method, path, prefix="/public/api/", auth="basic", **kwargs):
        headers = kwargs.pop("headers", {})
        if auth == "basic":
            kwargs["auth"] = (deployer.api_key, "")
        elif auth == "bearer":
            headers["Authorization"] = f"Bearer {deployer.api_key}"
        elif auth is not None:
            headers["Authorization"] = auth
        kwargs.setdefault("timeout", 10)
        return requests.request(method, deployer.uri + prefix + path, headers=headers, **kwargs)

    return run


@pytest.fixture(scope="module")
def deployed(call, nodes):
    """A deployment ``wire-on-dev`` of version w1 on a static infra of both nodes, updated."""
    files = {"file": ("w1.zip", package("w1").getvalue())}
    assert call("POST", "api-deployer/services", json={"publishedServiceId": "wire"}).ok
    assert call("POST", "api-deployer/services/wire/versions", files=files).ok
    body = {"id": "dev", "stage": "Development", "type": "STATIC"}
    assert call("POST", "api-deployer/infras", json=body).ok
    nodes_json = [{"url": n.uri, "adminAPIKey": n.admin_key} for n in nodes]
    settings = dict(call("GET", "api-deployer/infras/dev/settings").json(), apiNodes=nodes_json)
    assert call("PUT", "api-deployer/infras/dev/settings", json=settings).ok
    create = {"deploymentId": "wire-on-dev", "publishedServiceId": "wire", "infraId": "dev"}
    assert call("POST", "api-deployer/deployments", json=dict(create, version="w1")).ok
    return "wire-on-dev"


def wait(call, job_id):
    for _ in range(200):
        state = call("GET", f"futures/{job_id}", params={"peek": "True"}).json()
        if not state["alive"]:
            return state
        time.sleep(0.05)
    raise AssertionError("the job never ended")


@pytest.mark.parametrize("prefix", ["/public/api/", "/dip/publicapi/"])
@pytest.mark.parametrize("auth", ["basic", "bearer", "password"])
def test_both_prefixes_and_every_way_of_sending_the_key(call, deployer, prefix, auth):
    if auth == "password":  # the key as the Basic password, user name blank
        auth = "Basic " + base64.b64encode(f":{deployer.api_key}".encode()).decode()
    answer = call("GET", "api-deployer/stages", prefix=prefix, auth=auth)
    assert answer.status_code == 200
    assert [s["id"] for s in answer.json()] == ["Development", "Test", "Production"]
    assert answer.headers["DSS-API-Version"] and answer.headers["DSS-Version"]


@pytest.mark.parametrize("auth", [None, "Bearer wrong", "Basic d3Jvbmc6", "Token x"])
def test_a_missing_or_wrong_key_is_a_401_that_does_not_echo_it(call, auth):
    answer = call("GET", "api-deployer/services", auth=auth)
    assert answer.status_code == 401
    body = answer.json()
    assert body["errorType"] and body["message"] and "wrong" not in answer.text


def test_errors_are_json_with_the_status_a_client_can_map(call, deployed):
    cases = [
        ("GET", "api-deployer/deployments/nope", None, 404, "does not exist"),
        ("POST", "api-deployer/services", {"publishedServiceId": "wire"}, 409, "already exists"),
        ("DELETE", "api-deployer/infras/dev", None, 409, "deployments use it"),
        ("DELETE", "api-deployer/services/wire/versions/w1", None, 409, "deployments use it"),
        ("POST", "api-deployer/infras", {"id": "x", "stage": "Nope", "type": "STATIC"}, 400,
         "Invalid stage"),
        ("POST", "api-deployer/infras", {"id": "x", "stage": "Test", "type": "SAGEMAKER"}, 400,
         "infrastructure type"),
        ("POST", "api-deployer/deployments", {"deploymentId": "d", "publishedServiceId": "wire",
         "infraId": "dev", "version": "w9"}, 400, "Version w9 does not exist"),
        ("PUT", "api-deployer/deployments/wire-on-dev/settings",
         {"generationsMapping": {"mode": "MULTI_GENERATION", "entries": [
             {"generation": "w1", "proba": 0.5}]}}, 400, "sum to 0.5"),
        ("GET", "api-deployer/deployments/wire-on-dev/last-update", None, 404, "never updated"),
        ("GET", "futures/unknown-job", None, 404, "does not exist"),
    ]  # fmt: skip
    for method, path, body, status, text in cases:
        answer = call(method, path, json=body)
        assert answer.status_code == status, (method, path, answer.text)
        assert text in answer.json()["message"], (method, path, answer.text)


def test_an_upload_that_is_not_a_package_is_refused(call, deployed):
    files = {"file": ("w2.zip", b"not a zip at all")}
    answer = call("POST", "api-deployer/services/wire/versions", files=files)
    assert answer.status_code == 400 and "not a zip" in answer.json()["message"]
    assert call("POST", "api-deployer/services/wire/versions", data=b"x").status_code == 400


def test_settings_come_back_with_node_keys_sealed_and_a_sealed_key_is_kept(call, deployed, nodes):
    settings = call("GET", "api-deployer/infras/dev/settings").json()
    keys = [n["adminAPIKey"] for n in settings["apiNodes"]]
    assert all(k.startswith("ENCRYPTED:") for k in keys)
    assert not any(n.admin_key in json.dumps(settings) for n in nodes)
    assert call("PUT", "api-deployer/infras/dev/settings", json=settings).ok  # as received
    job = call("POST", "api-deployer/deployments/wire-on-dev/actions/update").json()
    assert wait(call, job["jobId"])["hasResult"] is True
    result = call("GET", f"futures/{job['jobId']}", params={"peek": "False"}).json()["result"]
    assert result["status"] == "SUCCESS"  # the nodes still took the deployer's calls


def test_a_hanging_update_runs_until_aborted_then_its_future_fails(call, deployer, deployed):
    deployer.add_job_fault(mode="hang")
    job = call("POST", "api-deployer/deployments/wire-on-dev/actions/update").json()
    assert job["alive"] is True and job["hasResult"] is False and job["jobId"]
    state = call("GET", f"futures/{job['jobId']}", params={"peek": "False"}).json()
    assert state["alive"] is True and "result" not in state
    again = call("POST", "api-deployer/deployments/wire-on-dev/actions/update")
    assert again.status_code == 409 and "already being updated" in again.json()["message"]
    assert [f["jobId"] for f in call("GET", "futures/").json()] == [job["jobId"]]

    assert call("DELETE", f"futures/{job['jobId']}").ok
    peeked = wait(call, job["jobId"])
    assert peeked["aborted"] is True and peeked["hasResult"] is False
    failed = call("GET", f"futures/{job['jobId']}", params={"peek": "False"})
    assert failed.status_code == 500 and "aborted" in failed.json()["message"]
    assert failed.json()["logTail"]["lines"]
    status = call("GET", "api-deployer/deployments/wire-on-dev/status").json()
    assert status["health"] == "ERROR"
    assert call("GET", "api-deployer/deployments/wire-on-dev/last-update").json()["status"] == (
        "ABORTED"
    )


def test_a_crashing_update_fails_its_future_with_the_message(call, deployer, deployed):
    deployer.add_job_fault(mode="crash", message="disk full on the deployer")
    job = call("POST", "api-deployer/deployments/wire-on-dev/actions/update").json()
    wait(call, job["jobId"])
    failed = call("GET", f"futures/{job['jobId']}", params={"peek": "False"})
    assert failed.status_code == 500 and "disk full" in failed.json()["message"]
    job = call("POST", "api-deployer/deployments/wire-on-dev/actions/update").json()
    assert wait(call, job["jobId"])["hasResult"] is True  # the fault was for one job only
    status = call("GET", "api-deployer/deployments/wire-on-dev/status").json()
    assert status["health"] == "HEALTHY"


def test_http_faults_play_on_the_public_api(call, deployer, deployed):
    deployer.add_fault(path="/public/api/api-deployer/deployments", status=503, retryAfter=1)
    answer = call("GET", "api-deployer/deployments")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert call("GET", "api-deployer/deployments").status_code == 200
    control = call("POST", "__emulator__/job-faults", prefix="/", json={"mode": "sometimes"})
    assert control.status_code == 400 and "mode" in control.json()["message"]
    assert call("GET", "__emulator__/job-faults", prefix="/", auth=None).status_code == 401


def test_the_update_history_keeps_logs(call, deployed):
    history = call("GET", "api-deployer/deployments/wire-on-dev/update").json()
    assert history and {"startTimestamp", "type", "status"} <= set(history[0])
    first = history[-1]["startTimestamp"]
    full = call("GET", f"api-deployer/deployments/wire-on-dev/update/{first}").json()
    assert full["startTimestamp"] == first and full["endTimestamp"] >= first
    assert full["logs"]["lines"] and full["requester"]
