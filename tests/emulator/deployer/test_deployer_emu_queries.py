"""Queries through the deployer (run_test_queries, run_queries) reach the nodes' user API."""

from __future__ import annotations

import dataikuapi
import pytest
from support.deployer_emulator import package


@pytest.fixture(scope="module")
def api(deployer):
    return dataikuapi.DSSClient(deployer.uri, deployer.api_key).get_apideployer()


@pytest.fixture(scope="module")
def deployment(api, nodes):
    service = api.create_service("queried")
    stored = [{"q": {"features": {"age": 40}}}, {"q": {"features": {"age": 20}}}]
    service.import_version(package("q1", endpoints=("score", "other"), testQueries=stored))
    infra = api.create_infra("q-infra", "Test", "STATIC")
    settings = infra.get_settings()
    settings.add_apinode(nodes[0].uri, nodes[0].admin_key)
    settings.save()
    deployment = api.create_deployment("queried-on-q", "queried", "q-infra", "q1")
    with pytest.raises(dataikuapi.utils.DataikuException, match="never deployed"):
        deployment.run_test_queries(endpoint_id="score")
    deployment.start_update().wait_for_result()
    return deployment


def test_the_stored_test_queries_run_on_a_node(deployment, nodes):
    answer = deployment.run_test_queries(endpoint_id="score")
    assert answer["endpointId"] == "score" and answer["nbQueries"] == 2
    assert answer["nbFailed"] == 0
    for row in answer["responses"]:
        assert row["ok"] and row["status"] == 200 and row["node"] == nodes[0].uri
        assert row["response"]["generation"] == "q1"


def test_given_queries_with_headers_run_too(deployment):
    queries = [{"q": {"features": {"x": 1}}, "headers": [{"key": "X-Trace", "value": "t1"}]}]
    answer = deployment.run_test_queries(endpoint_id="other", test_queries=queries)
    assert answer["nbQueries"] == 1 and answer["responses"][0]["ok"]
    answer = deployment.run_queries(queries, endpoint_id="score")
    assert answer["endpointId"] == "score" and answer["nbFailed"] == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "Say which endpoint"),
        ({"endpoint_id": "nope"}, "Unknown endpoint nope"),
        ({"endpoint_id": "score", "test_queries": [{"features": {}}]}, "expected an object"),
    ],
)
def test_bad_queries_are_refused_with_a_reason(deployment, kwargs, message):
    with pytest.raises(dataikuapi.utils.DataikuException, match=message):
        deployment.run_test_queries(**kwargs)


def test_a_deployment_replica_count_wins_over_the_infrastructure(api, deployer):
    service = api.create_service("scaled")
    service.import_version(package("r1"))
    api.create_infra("scaled-k8s", "Production", "K8S")
    deployment = api.create_deployment("scaled-on-k8s", "scaled", "scaled-k8s", "r1")
    settings = deployment.get_settings()
    settings.get_raw()["replicas"] = 1
    settings.save()
    assert deployment.start_update().wait_for_result()["nbNodes"] == 1
    assert len(deployer.app.k8s.replicas("scaled-on-k8s")) == 1
    answer = deployment.run_test_queries(test_queries=[{"q": {"features": {}}}])
    assert answer["responses"][0]["ok"]  # through the public URL
    settings.get_raw()["replicas"] = 0
    with pytest.raises(dataikuapi.utils.DataikuException, match="from 1 to 8"):
        settings.save()
    deployment.delete(disable_first=True)
