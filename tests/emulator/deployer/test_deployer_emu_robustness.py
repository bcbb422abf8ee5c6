"""The deployer emulator under load, garbage, job faults and restarts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import dataikuapi
import pytest
import requests
from support.deployer_emulator import package

from apinode_admin_cli.emulator.deployer import start_deployer


@pytest.fixture(scope="module")
def api(deployer):
    return dataikuapi.DSSClient(deployer.uri, deployer.api_key).get_apideployer()


def test_fifty_concurrent_creations_all_land(deployer):
    def create(position):
        body = {"publishedServiceId": f"many-{position}"}
        url = f"{deployer.uri}/public/api/api-deployer/services"
        return requests.post(url, json=body, auth=(deployer.api_key, ""), timeout=30).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert set(pool.map(create, range(50))) == {200}
    listed = requests.get(
        f"{deployer.uri}/public/api/api-deployer/services", auth=(deployer.api_key, ""), timeout=10
    ).json()
    assert {f"many-{i}" for i in range(50)} <= {s["serviceBasicInfo"]["id"] for s in listed}


GARBAGE = [b"", b"not json", b"[]", b"null", b'{"x": 1}', b'{"id": 5}', b'"text"', b"{" * 5000]
WRITES = [
    ("POST", "api-deployer/services"),
    ("POST", "api-deployer/infras"),
    ("POST", "api-deployer/deployments"),
    ("PUT", "api-deployer/services/many-0/settings"),
    ("POST", "__emulator__/job-faults"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_garbage_bodies_get_a_json_400_never_a_500(deployer, method, path):
    prefix = "/" if path.startswith("__") else "/public/api/"
    for body in GARBAGE:
        answer = requests.request(
            method, deployer.uri + prefix + path, data=body, auth=(deployer.api_key, ""), timeout=10
        )
        if answer.status_code == 200:  # settings are free-form: any object is kept
            assert path.endswith("/settings") and body.startswith(b"{"), body
            continue
        assert answer.status_code == 400, (body[:20], answer.text)
        assert answer.json()["message"]


def test_slow_and_failing_jobs(api, deployer, nodes):
    service = api.create_service("faulty")
    service.import_version(package("x1"))
    infra = api.create_infra("faulty-infra", "Test", "STATIC")
    settings = infra.get_settings()
    settings.add_apinode(nodes[1].uri, nodes[1].admin_key)
    settings.save()
    deployment = api.create_deployment("faulty-on-infra", "faulty", "faulty-infra", "x1")
    deployer.add_job_fault(mode="slow", delayMs=300, deployment="faulty-on-infra")
    future = deployment.start_update()
    assert future.peek_state()["alive"] is True  # still waiting its 300 ms
    assert future.wait_for_result()["status"] == "SUCCESS"
    deployer.add_job_fault(mode="fail", message="quota exceeded")
    result = deployment.start_update().wait_for_result()
    assert result == {
        "status": "FAILED",
        "nbNodes": 0,
        "nbNOKNodes": 0,
        "message": "quota exceeded",
    }
    status = deployment.get_status()
    assert status.get_health() == "ERROR"
    assert "quota exceeded" in status.get_health_messages()["messages"][0]["details"]


def test_a_job_failing_at_once_still_starts_as_running(api, deployer, nodes):
    # The official client returns the start answer's result when that answer says the job
    # ended: a job that fails before the answer is written must not pass for a success.
    api.create_service("at-once").import_version(package("a1"))
    infra = api.create_infra("at-once-infra", "Test", "STATIC").get_settings()
    infra.add_apinode(nodes[1].uri, nodes[1].admin_key)
    infra.save()
    deployment = api.create_deployment("at-once-d", "at-once", "at-once-infra", "a1")
    for _ in range(20):
        deployer.add_job_fault(mode="fail", message="quota exceeded")
        future = deployment.start_update()
        assert (future.state["alive"], future.state["hasResult"]) == (True, False)
        assert future.wait_for_result()["status"] == "FAILED"


def test_k8s_pods_come_back_after_a_restart_with_their_state(tmp_path):
    data = tmp_path / "deployer"
    with start_deployer(data_dir=data) as first:
        api = dataikuapi.DSSClient(first.uri, first.api_key).get_apideployer()
        api.create_service("kept").import_version(package("k1"))
        api.create_infra("kept-k8s", "Production", "K8S")
        deployment = api.create_deployment("kept-on-k8s", "kept", "kept-k8s", "k1")
        deployment.start_update().wait_for_result()
        [url] = deployment.get_status().get_service_urls()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/predict/predict", json={"features": {}}, timeout=5)
    with start_deployer(data_dir=data, api_key=first.api_key) as second:
        api = dataikuapi.DSSClient(second.uri, second.api_key).get_apideployer()
        status = api.get_deployment("kept-on-k8s").get_status()
        assert status.get_health() == "HEALTHY"
        assert status.get_service_urls() == [url]  # the same port, free again
        answer = requests.post(f"{url}/predict/predict", json={"features": {}}, timeout=10)
        assert answer.status_code == 200 and answer.json()["generation"] == "k1"


def test_stopping_the_deployer_aborts_a_running_update_and_records_it(tmp_path, nodes):
    data = tmp_path / "deployer"
    with start_deployer(data_dir=data) as first:
        api = dataikuapi.DSSClient(first.uri, first.api_key).get_apideployer()
        api.create_service("stopped").import_version(package("s1"))
        infra = api.create_infra("stopped-infra", "Test", "STATIC")
        settings = infra.get_settings()
        settings.add_apinode(nodes[0].uri, nodes[0].admin_key)
        settings.save()
        deployment = api.create_deployment("stopped-on-infra", "stopped", "stopped-infra", "s1")
        first.add_job_fault(mode="hang")
        assert deployment.start_update().peek_state()["alive"] is True
    with start_deployer(data_dir=data, api_key=first.api_key) as second:
        api = dataikuapi.DSSClient(second.uri, second.api_key).get_apideployer()
        last = api.get_deployment("stopped-on-infra").get_update()
        assert last.status == "ABORTED" and last.end_time >= last.start_time


def test_finished_futures_are_forgotten_beyond_a_limit():
    from apinode_admin_cli.emulator.deployer.jobs import Job, Jobs
    from apinode_admin_cli.emulator.errors import ApiError

    jobs = Jobs(kept=2)
    running = Job("running", "d")
    jobs.add(running)
    finished = []
    for position in range(4):
        job = Job(f"job {position}", "d")
        job.finish({"status": "SUCCESS"})
        finished.append(job)
        jobs.add(job)
    assert jobs.get(running.id) is running  # a running job is never forgotten
    assert [jobs.get(j.id) for j in finished[-2:]] == finished[-2:]
    with pytest.raises(ApiError, match="does not exist"):
        jobs.get(finished[0].id)
