"""Wire equivalence: our deployer client and dataikuapi's send the same requests."""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
from pathlib import Path
from typing import Any, Callable

import dataikuapi
import pytest
from support.fault_server import KEY, Recorded, RecordingServer

from apinode_admin_cli.client import DSSDeployerClient

P = "/dip/publicapi/api-deployer"
Op = Callable[[Any], Any]
LIGHT = {"deploymentBasicInfo": {"id": "d1", "enabled": True, "publishedServiceId": "s1"}}
SETTINGS = {"id": "d1", "enabled": True, "generationsMapping": {"generation": "v1"}}
INFRA = {"type": "STATIC", "apiNodes": [{"url": "http://n1:12000", "adminAPIKey": "A"}]}
QUERIES = [{"q": {"features": {"x": 1}}, "headers": [{"key": "X-H", "value": "v"}]}]


def _infra_nodes(c: Any) -> None:
    settings = c.get_apideployer().get_infra("i1").get_settings()
    settings.add_apinode("http://n2:12000", "NODE-KEY", "p2")
    settings.remove_apinode("http://n1:12000")
    settings.save()


def _set_version(c: Any) -> None:
    settings = c.get_apideployer().get_deployment("d1").get_settings()
    settings.set_single_version("v2")
    settings.set_enabled(False)
    settings.save(ignore_warnings=True)


def _service_settings(c: Any) -> None:
    settings = c.get_apideployer().get_service("s1").get_settings()
    settings.get_raw()["permissions"] = [{"group": "g", "read": True}]
    settings.save()


# name -> (the same call on both clients, answers queued per (method, path) before each run)
OPS: dict[str, tuple[Op, dict[tuple[str, str], Any]]] = {
    "list_stages": (lambda c: c.get_apideployer().list_stages(), {("GET", f"{P}/stages"): []}),
    "list_infras": (
        lambda c: c.get_apideployer().list_infras(as_objects=False),
        {("GET", f"{P}/infras"): [{"infraBasicInfo": {"id": "i1"}}]},
    ),
    "create_infra": (lambda c: c.get_apideployer().create_infra("i1", "Development", "K8S"), {}),
    "infra_status": (lambda c: c.get_apideployer().get_infra("i1").get_status(), {}),
    "infra_nodes": (_infra_nodes, {("GET", f"{P}/infras/i1/settings"): INFRA}),
    "delete_infra": (lambda c: c.get_apideployer().get_infra("i1").delete(), {}),
    "list_services": (
        lambda c: c.get_apideployer().list_services(as_objects=False),
        {("GET", f"{P}/services"): [{"serviceBasicInfo": {"id": "s1"}}]},
    ),
    "create_service": (lambda c: c.get_apideployer().create_service("s1"), {}),
    "service_status": (lambda c: c.get_apideployer().get_service("s1").get_status(), {}),
    "service_settings": (_service_settings, {("GET", f"{P}/services/s1/settings"): {"owner": "a"}}),
    "delete_version": (lambda c: c.get_apideployer().get_service("s1").delete_version("v1"), {}),
    "delete_service": (lambda c: c.get_apideployer().get_service("s1").delete(), {}),
    "list_deployments": (
        lambda c: c.get_apideployer().list_deployments(as_objects=False),
        {("GET", f"{P}/deployments"): [LIGHT]},
    ),
    "create_deployment": (
        lambda c: c.get_apideployer().create_deployment("d1", "s1", "i1", "v1"),
        {},
    ),
    "create_deployment_all": (
        lambda c: c.get_apideployer().create_deployment(
            "d1",
            "s1",
            "i1",
            "v1",
            endpoint_id="e1",
            ignore_warnings=True,
            authorizations_to_query_through_deployer=[{"group": "g", "queryThroughDeployer": True}],
        ),
        {},
    ),
    "deployment_status": (
        lambda c: c.get_apideployer().get_deployment("d1").get_status(),
        {("GET", f"{P}/deployments/d1"): LIGHT},
    ),
    "set_version": (_set_version, {("GET", f"{P}/deployments/d1/settings"): SETTINGS}),
    "start_update": (
        lambda c: c.get_apideployer().get_deployment("d1").start_update(),
        {("POST", f"{P}/deployments/d1/actions/update"): {"jobId": "J1", "hasResult": False}},
    ),
    "future_state": (lambda c: c.get_future("J1").get_state(), {}),
    "future_peek": (lambda c: c.get_future("J1").peek_state(), {}),
    "future_abort": (lambda c: c.get_future("J1").abort(), {}),
    "list_futures": (lambda c: c.list_futures(), {("GET", "/dip/publicapi/futures/"): []}),
    "instance_info": (lambda c: c.get_instance_info(), {}),
    "governance": (lambda c: c.get_apideployer().get_deployment("d1").get_governance_status(), {}),
    "delete_disabled": (
        lambda c: c.get_apideployer().get_deployment("d1").delete(),
        {("GET", f"{P}/deployments/d1"): {"deploymentBasicInfo": {"id": "d1", "enabled": False}}},
    ),
    "delete_disable_first": (
        lambda c: (
            c.get_apideployer()
            .get_deployment("d1")
            .delete(disable_first=True, ignore_pre_delete_errors=True)
        ),
        {("GET", f"{P}/deployments/d1"): LIGHT, ("GET", f"{P}/deployments/d1/settings"): SETTINGS},
    ),
    "test_queries": (
        lambda c: (
            c.get_apideployer()
            .get_deployment("d1")
            .run_test_queries(endpoint_id="e1", test_queries=QUERIES)
        ),
        {},
    ),
    "test_queries_stored": (
        lambda c: c.get_apideployer().get_deployment("d1").run_test_queries(),
        {},
    ),
    "run_queries": (
        lambda c: c.get_apideployer().get_deployment("d1").run_queries(QUERIES, endpoint_id="e1"),
        {},
    ),
    "list_updates": (
        lambda c: c.get_apideployer().get_deployment("d1").list_updates(),
        {("GET", f"{P}/deployments/d1/update"): [{"startTimestamp": 17, "status": "DONE"}]},
    ),
    "last_update": (lambda c: c.get_apideployer().get_deployment("d1").get_update(), {}),
    "one_update": (lambda c: c.get_apideployer().get_deployment("d1").get_update(17), {}),
}


def _record(server: RecordingServer, call: Op, client: Any, answers: dict[Any, Any]) -> Any:
    server.clear()
    for (method, path), body in answers.items():
        server.queue(method, path, json_body=body)
    call(client)
    return list(server.requests)


def _same_wire(ours: Recorded, theirs: Recorded) -> None:
    assert (ours.method, ours.path, ours.query) == (theirs.method, theirs.path, theirs.query)
    assert ours.body == theirs.body
    for header in ("Authorization", "Content-Type", "Content-Length"):
        assert ours.headers.get(header) == theirs.headers.get(header), header


@pytest.mark.parametrize("name", sorted(OPS))
def test_deployer_operation_matches_official_client(name: str, server: RecordingServer) -> None:
    call, answers = OPS[name]
    theirs = _record(server, call, dataikuapi.DSSClient(server.url, KEY), answers)
    with DSSDeployerClient(server.url, KEY) as client:
        ours = _record(server, call, client, answers)
    assert [(r.method, r.path) for r in ours] == [(r.method, r.path) for r in theirs]
    for mine, official in zip(ours, theirs):
        _same_wire(mine, official)
    expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert all(r.headers["Authorization"] == expected for r in ours)
    assert all(r.path.startswith("/dip/publicapi/") for r in ours)


def _parts(request: Recorded) -> list[tuple[str, str, bytes]]:
    """(field name, file name, bytes) of each part of a multipart body."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + request.body)
    return [
        (
            part.get_param("name", header="content-disposition"),
            part.get_filename(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    ]


def test_version_upload_sends_the_same_multipart_form(
    server: RecordingServer, tmp_path: Path
) -> None:
    package = tmp_path / "v1.zip"
    package.write_bytes(b"PK\x03\x04 not really a zip")
    with package.open("rb") as handle:
        dataikuapi.DSSClient(server.url, KEY).get_apideployer().get_service("s1").import_version(
            handle
        )
    with DSSDeployerClient(server.url, KEY) as client, package.open("rb") as handle:
        client.get_apideployer().get_service("s1").import_version(handle)
    theirs, ours = server.requests
    assert (
        (ours.method, ours.path)
        == (theirs.method, theirs.path)
        == ("POST", f"{P}/services/s1/versions")
    )
    assert ours.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert _parts(ours) == _parts(theirs) == [("file", "v1.zip", package.read_bytes())]


def test_bearer_token_matches_official_client(server: RecordingServer) -> None:
    server.queue("GET", f"{P}/stages", json_body=[])
    server.queue("GET", f"{P}/stages", json_body=[])
    dataikuapi.DSSClient(server.url, jwt_bearer_token="JWT").get_apideployer().list_stages()
    with DSSDeployerClient(server.url, jwt_bearer_token="JWT") as client:
        client.get_apideployer().list_stages()
    theirs, ours = server.requests
    assert ours.headers["Authorization"] == theirs.headers["Authorization"] == "Bearer JWT"


def test_objects_returned_by_lists_carry_the_ids(server: RecordingServer) -> None:
    server.queue("GET", f"{P}/deployments", json_body=[LIGHT])
    server.queue("GET", f"{P}/infras", json_body=[{"infraBasicInfo": {"id": "i1"}}])
    server.queue("GET", f"{P}/services", json_body=[{"serviceBasicInfo": {"id": "s1"}}])
    with DSSDeployerClient(server.url, KEY) as client:
        deployer = client.get_apideployer()
        assert [d.id for d in deployer.list_deployments()] == ["d1"]
        assert [i.id for i in deployer.list_infras()] == ["i1"]
        assert [s.id for s in deployer.list_services()] == ["s1"]


def test_settings_body_is_the_edited_json(server: RecordingServer) -> None:
    server.queue("GET", f"{P}/infras/i1/settings", json_body=INFRA)
    with DSSDeployerClient(server.url, KEY) as client:
        _infra_nodes(client)
    put = server.requests[-1]
    assert json.loads(put.body)["apiNodes"] == [
        {"url": "http://n2:12000", "adminAPIKey": "NODE-KEY", "graphitePrefix": "p2"}
    ]
