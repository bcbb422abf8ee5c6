"""The official ``dataikuapi`` deployer client through whole lifecycles against the emulator.

Static infrastructures push to real node emulators; what the nodes serve is read from their
own admin API, never from the deployer, so each health the deployer reports is checked
against the truth.
"""

from __future__ import annotations

import dataikuapi
import pytest
import requests
from support.deployer_emulator import package, served

from apinode_admin_cli.emulator import start_emulator


@pytest.fixture(scope="module")
def api(deployer):
    return dataikuapi.DSSClient(deployer.uri, deployer.api_key).get_apideployer()


def static_infra(api, infra_id, nodes, stage="Development"):
    infra = api.create_infra(infra_id, stage, "STATIC")
    settings = infra.get_settings()
    for node in nodes:
        settings.add_apinode(node.uri, node.admin_key)
    settings.save()
    return infra


def update(deployment):
    return deployment.start_update().wait_for_result()


def predict(url, endpoint="predict"):
    answer = requests.post(f"{url}/{endpoint}/predict", json={"features": {"x": 1}}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()["generation"]


def test_static_lifecycle(api, nodes, node_api):
    service = api.create_service("churn")
    service.import_version(package("v1"))
    service.import_version(package("v2"))
    assert [v["id"] for v in service.get_status().get_versions()] == ["v1", "v2"]
    static_infra(api, "dev", nodes)
    urls = [n["url"] for n in api.get_infra("dev").get_settings().get_raw()["apiNodes"]]
    assert urls == [n.uri for n in nodes]

    deployment = api.create_deployment("churn-on-dev", "churn", "dev", "v1")
    assert deployment.get_status().get_health() == "UNKNOWN"  # created, never updated
    result = update(deployment)
    assert result["status"] == "SUCCESS" and result["nbNOKNodes"] == 0
    status = deployment.get_status()
    assert status.get_health() == "HEALTHY", status.get_health_messages()
    assert status.get_service_urls() == [f"{n.uri}/public/api/v1/churn" for n in nodes]
    assert [predict(url) for url in status.get_service_urls()] == ["v1", "v1"]
    assert status.get_heavy()["endpoints"] == [{"id": "predict", "type": "STD_PREDICTION"}]

    settings = deployment.get_settings()
    settings.set_single_version("v2")
    settings.save()
    assert deployment.get_status().get_health() == "OUT_OF_SYNC"  # saved, not pushed yet
    assert [served(n, "churn") for n in nodes] == [{"v1": 1.0}, {"v1": 1.0}]
    update(deployment)
    assert deployment.get_status().get_health() == "HEALTHY"
    assert [served(n, "churn") for n in nodes] == [{"v2": 1.0}, {"v2": 1.0}]

    # Someone switches the first node back by hand: the deployer sees it.
    node_api(nodes[0], "POST", "services/churn/actions/switchTo/v1").raise_for_status()
    status = deployment.get_status()
    assert status.get_health() == "OUT_OF_SYNC"
    message = status.get_health_messages()["messages"][0]
    assert nodes[0].uri in message["title"] and "v1" in message["details"]
    update(deployment)
    assert deployment.get_status().get_health() == "HEALTHY"

    history = deployment.list_updates()
    assert [u.status for u in history] == ["SUCCESS"] * 3
    last = deployment.get_update()
    assert last.start_time == history[0].start_time and last.requester
    assert any("mapping set to v2" in line for line in last.logs)
    assert history[-1].get_full_update().logs

    deployment.delete(disable_first=True)
    assert [served(n, "churn") for n in nodes] == [{}, {}]
    assert "churn-on-dev" not in [d.id for d in api.list_deployments()]


def test_a_node_down_makes_the_deployment_unhealthy(api, nodes, tmp_path):
    spare = start_emulator(data_dir=tmp_path / "spare")
    try:
        service = api.create_service("fraud")
        service.import_version(package("f1"))
        static_infra(api, "qa", [nodes[0], spare], stage="Test")
        deployment = api.create_deployment("fraud-on-qa", "fraud", "qa", "f1")
        update(deployment)
        assert deployment.get_status().get_health() == "HEALTHY"
    finally:
        spare.stop()
    status = deployment.get_status()
    assert status.get_health() == "UNHEALTHY"
    rows = {row["url"]: row["status"] for row in status.get_heavy()["apiNodes"]}
    assert rows == {nodes[0].uri: "OK", spare.uri: "UNREACHABLE"}
    # The node is gone for good: deleting must be forced past it.
    with pytest.raises(dataikuapi.utils.DataikuException, match="ignorePreDeleteErrors"):
        deployment.delete(disable_first=True)
    deployment.delete(ignore_pre_delete_errors=True)
    assert served(nodes[0], "fraud") == {}


def test_a_version_a_node_refuses_is_an_error_until_rolled_back(api, nodes):
    service = api.create_service("scoring")
    service.import_version(package("s1"))
    service.import_version(package("s2", errorRate=7))  # API nodes refuse such a package
    static_infra(api, "prod", nodes, stage="Production")
    deployment = api.create_deployment("scoring-on-prod", "scoring", "prod", "s1")
    update(deployment)
    settings = deployment.get_settings()
    settings.set_single_version("s2")
    settings.save()

    result = update(deployment)  # a failed update still ends with a result, as DSS's does
    assert result["status"] == "FAILED" and result["nbNOKNodes"] == 2
    assert "errorRate" in result["failedNodes"][0]["message"]
    status = deployment.get_status()
    assert status.get_health() == "ERROR"
    assert "errorRate" in status.get_health_messages()["messages"][0]["details"]
    assert [served(n, "scoring") for n in nodes] == [{"s1": 1.0}, {"s1": 1.0}]
    assert deployment.get_update().status == "FAILED"

    rollback = deployment.get_settings()
    rollback.set_single_version("s1")
    rollback.save()
    assert update(deployment)["status"] == "SUCCESS"
    assert deployment.get_status().get_health() == "HEALTHY"
    deployment.delete(disable_first=True)


def test_k8s_lifecycle(api, deployer):
    service = api.create_service("pricing")
    service.import_version(package("p1"))
    service.import_version(package("p2"))
    api.create_infra("cluster", "Production", "K8S")
    deployment = api.create_deployment("pricing-on-cluster", "pricing", "cluster", "p1")
    with pytest.raises(ValueError, match="PublicURL not available"):
        deployment.get_status().get_service_urls()  # no pod before the first update
    assert update(deployment)["nbNodes"] == 2  # the infrastructure's default replica count
    status = deployment.get_status()
    assert status.get_health() == "HEALTHY"
    [url] = status.get_service_urls()
    replicas = set()
    for _ in range(4):
        answer = requests.post(f"{url}/predict/predict", json={"features": {}}, timeout=10)
        assert answer.status_code == 200 and answer.json()["generation"] == "p1"
        replicas.add(answer.headers["X-Emulator-Replica"])
    assert replicas == {"0", "1"}  # requests are spread over the pods

    infra_settings = api.get_infra("cluster").get_settings()
    infra_settings.get_raw()["replicas"] = 3
    infra_settings.save()
    settings = deployment.get_settings()
    settings.set_single_version("p2")
    settings.save()
    assert update(deployment)["nbNodes"] == 3
    assert deployment.get_status().get_health() == "HEALTHY"
    assert predict(url) == "p2"  # same public URL, new version

    pods = deployer.app.k8s.replicas("pricing-on-cluster")
    pods[1].stop()  # a pod dies
    assert deployment.get_status().get_health() == "UNHEALTHY"
    assert predict(url) == "p2"  # the balancer routes around it

    pod_dir = deployer.app.store.k8s_dir("pricing-on-cluster")
    assert pod_dir.exists()
    deployment.delete(disable_first=True)
    assert not pod_dir.exists()
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{url}/predict/predict", json={"features": {}}, timeout=5)


def test_published_version_bytes_come_back_as_uploaded(api):
    service = api.create_service("archive-check")
    sent = package("a1").getvalue()
    service.import_version(package("a1"))
    assert service.get_version_stream("a1").content == sent
    service.delete_version("a1")
    service.delete()
    assert "archive-check" not in [s.id for s in api.list_services()]


def test_a_split_mapping_then_a_disabled_deployment_reach_the_nodes(api, nodes):
    service = api.create_service("split")
    service.import_version(package("m1"))
    service.import_version(package("m2"))
    static_infra(api, "split-infra", nodes, stage="Test")
    deployment = api.create_deployment("split-on-infra", "split", "split-infra", "m1")
    settings = deployment.get_settings()
    settings.get_raw()["generationsMapping"] = {
        "mode": "MULTI_GENERATION",
        "entries": [{"generation": "m1", "proba": 0.9}, {"generation": "m2", "proba": 0.1}],
    }
    settings.save()
    update(deployment)
    assert [served(n, "split") for n in nodes] == [{"m1": 0.9, "m2": 0.1}] * 2
    assert deployment.get_status().get_health() == "HEALTHY"

    settings = deployment.get_settings()
    settings.set_enabled(False)
    settings.save()
    assert deployment.get_status().get_health() == "OUT_OF_SYNC"  # not pushed yet
    update(deployment)
    status = deployment.get_status()
    assert status.get_health() == "HEALTHY"
    assert "disabled" in status.get_health_messages()["messages"][0]["title"]
    assert [row["enabled"] for row in status.get_heavy()["apiNodes"]] == [False, False]
    refused = requests.post(
        f"{nodes[0].uri}/public/api/v1/split/predict/predict", json={"features": {}}, timeout=10
    )
    assert refused.status_code >= 400  # the nodes no longer serve it
    deployment.delete()  # disabled: the official client deletes at once
    assert [served(n, "split") for n in nodes] == [{}, {}]


def test_a_drained_node_is_a_warning(api, nodes):
    service = api.create_service("drain")
    service.import_version(package("d1"))
    static_infra(api, "drain-infra", nodes, stage="Test")
    deployment = api.create_deployment("drain-on-infra", "drain", "drain-infra", "d1")
    update(deployment)
    drain_file = nodes[1].data_dir / "apinode-not-alive.txt"
    drain_file.write_text("maintenance")
    try:
        status = deployment.get_status()
        assert status.get_health() == "WARNING"
        rows = {row["url"]: row["status"] for row in status.get_heavy()["apiNodes"]}
        assert rows == {nodes[0].uri: "OK", nodes[1].uri: "NOT_ALIVE"}
        assert "drained" in status.get_health_messages()["messages"][0]["details"]
    finally:
        drain_file.unlink()
    assert deployment.get_status().get_health() == "HEALTHY"
    deployment.delete(disable_first=True)
