"""Deployer client errors: the exception tree, said of DSS; futures waited with a bound."""

from __future__ import annotations

import json

import pytest
from support.fault_server import KEY, RecordingServer

from apinode_admin_cli.client import DSSDeployerClient
from apinode_admin_cli.errors import (
    AuthenticationError,
    ConfigError,
    ConflictError,
    ConnectionFailure,
    JobFailed,
    JobStillRunning,
    NotAnAPINodeError,
    NotFoundError,
)

P = "/dip/publicapi/api-deployer"
FUTURE = "/dip/publicapi/futures/J1"


def _client(server: RecordingServer, **options: object) -> DSSDeployerClient:
    return DSSDeployerClient(server.url, KEY, backoff_base=0.01, **options)  # type: ignore[arg-type]


def _error(errtype: str, message: str) -> dict[str, str]:
    return {"errorType": errtype, "message": message, "detailedMessage": message}


@pytest.mark.parametrize(
    ("status", "cls", "code"),
    [
        (404, NotFoundError, 5),
        (401, AuthenticationError, 4),
        (403, AuthenticationError, 4),
        (409, ConflictError, 6),
    ],
)
def test_dss_errors_map_to_the_exception_tree(
    server: RecordingServer, status: int, cls: type, code: int
) -> None:
    server.queue("GET", f"{P}/deployments/d1", status, _error("CodedException", "Boom on d1"))
    with _client(server) as client, pytest.raises(cls) as caught:
        client.get_apideployer().get_deployment("d1").get_status()
    assert caught.value.exit_code == code
    assert "Boom on d1" in caught.value.message
    assert KEY not in str(caught.value) and KEY not in (caught.value.hint or "")


def test_auth_hint_names_the_dss_key_settings(server: RecordingServer) -> None:
    server.queue("GET", f"{P}/stages", 401, _error("Unauthorized", "bad key"))
    with _client(server) as client, pytest.raises(AuthenticationError) as caught:
        client.get_apideployer().list_stages()
    assert "--dss-api-key-file" in (caught.value.hint or "")


def test_a_web_page_instead_of_dss_is_said_of_dss(server: RecordingServer) -> None:
    server.queue(
        "GET", f"{P}/stages", 404, body=b"<html>nope</html>", headers={"Content-Type": "text/html"}
    )
    with _client(server) as client, pytest.raises(NotAnAPINodeError) as caught:
        client.get_apideployer().list_stages()
    assert "does not look like DSS" in caught.value.message
    assert "--dss-uri" in (caught.value.hint or "") and "API node" not in caught.value.message


def test_unreachable_dss_is_a_connection_failure(server: RecordingServer) -> None:
    url = server.url
    server.__exit__()
    with (
        DSSDeployerClient(url, KEY, retries=1) as client,
        pytest.raises(ConnectionFailure) as caught,
    ):
        client.get_apideployer().list_stages()
    assert caught.value.exit_code == 7
    assert "is DSS running" in (caught.value.hint or "")


@pytest.mark.parametrize(
    "uri",
    ["", "ftp://dss:1", "http://user:pw@dss:1", "http://dss:1/dip/publicapi", "http://dss:1/?x=1"],
)
def test_bad_dss_uri_is_refused_before_anything_is_sent(uri: str) -> None:
    with pytest.raises(ConfigError) as caught:
        DSSDeployerClient(uri, KEY)
    assert "pw" not in caught.value.message


def test_dss_behind_a_path_prefix_is_accepted(server: RecordingServer) -> None:
    server.queue("GET", f"/dss{P}/stages", json_body=[{"id": "Dev"}])
    with DSSDeployerClient(server.url + "/dss/", KEY) as client:
        assert client.get_apideployer().list_stages() == [{"id": "Dev"}]


def test_wait_returns_the_result_after_polling(server: RecordingServer) -> None:
    server.queue(
        "POST", f"{P}/deployments/d1/actions/update", json_body={"jobId": "J1", "hasResult": False}
    )
    server.queue("GET", FUTURE, json_body={"jobId": "J1", "hasResult": False, "alive": True})
    server.queue(
        "GET", FUTURE, json_body={"jobId": "J1", "hasResult": True, "result": {"nbNOKNodes": 0}}
    )
    seen: list[dict[str, object]] = []
    with _client(server) as client:
        future = client.get_apideployer().get_deployment("d1").start_update()
        result = future.wait_for_result(timeout=30, on_progress=seen.append, sleep=lambda s: None)
    assert result == {"nbNOKNodes": 0}
    assert [s["alive"] for s in seen] == [True]
    assert [r.query for r in server.requests[1:]] == [{"peek": ["False"]}] * 2


def test_a_job_said_ended_without_its_result_is_read_again(server: RecordingServer) -> None:
    # A job that fails at once may be over before the answer that started it is written: that
    # answer says it ended but carries no result, which must not pass for a success.
    ended = {"jobId": "J1", "hasResult": True, "alive": False}
    failed = {"status": "FAILED", "nbNOKNodes": 2, "message": "disk full"}
    server.queue("POST", f"{P}/deployments/d1/actions/update", json_body=ended)
    server.queue("GET", FUTURE, json_body={**ended, "result": failed})
    server.queue("POST", f"{P}/deployments/d1/actions/update", json_body=ended)
    server.queue("GET", FUTURE, json_body={**ended, "result": failed})
    with _client(server) as client:
        deployment = client.get_apideployer().get_deployment("d1")
        assert deployment.start_update().wait_for_result(timeout=5) == failed
        assert deployment.start_update().get_result() == failed
    gets = [r for r in server.requests if r.method == "GET"]
    assert [r.query for r in gets] == [{"peek": ["False"]}] * 2


def test_wait_is_bounded_and_leaves_the_job_running(server: RecordingServer) -> None:
    server.default.body = json.dumps({"jobId": "J1", "hasResult": False, "alive": True}).encode()
    with _client(server) as client, pytest.raises(JobStillRunning) as caught:
        client.get_future("J1").wait_for_result(timeout=0.3)
    assert caught.value.exit_code == 7
    assert "still running after 0.3 s" in caught.value.message
    assert not any(r.method == "DELETE" for r in server.requests)


def test_a_failed_job_answered_as_an_http_error_is_job_failed(server: RecordingServer) -> None:
    body = {**_error("DeploymentFailed", "node n1 refused v2"), "logTail": {"lines": ["a", "b"]}}
    server.queue("GET", FUTURE, 500, body)
    with _client(server) as client, pytest.raises(JobFailed) as caught:
        client.get_future("J1").wait_for_result(timeout=5)
    assert caught.value.exit_code == 1
    assert "node n1 refused v2" in caught.value.message
    assert caught.value.log_tail == ["a", "b"]


def test_a_job_that_ended_without_result_is_job_failed(server: RecordingServer) -> None:
    state = {"jobId": "J1", "hasResult": False, "alive": False, "logTail": ["x", "boom"]}
    server.queue("GET", FUTURE, json_body=state)
    with _client(server) as client, pytest.raises(JobFailed) as caught:
        client.get_future("J1").wait_for_result()
    assert caught.value.log_tail == ["x", "boom"]


def test_an_unknown_job_id_is_not_found(server: RecordingServer) -> None:
    server.queue("GET", FUTURE, 404, _error("NotFound", "Future J1 does not exist"))
    with _client(server) as client, pytest.raises(NotFoundError):
        client.get_future("J1").wait_for_result(timeout=5)


def test_enabled_deployment_is_not_deleted_without_disable_first(server: RecordingServer) -> None:
    light = {"deploymentBasicInfo": {"id": "d1", "enabled": True}}
    server.queue("GET", f"{P}/deployments/d1", json_body=light)
    with _client(server) as client, pytest.raises(Exception) as caught:
        client.get_apideployer().get_deployment("d1").delete()
    assert caught.value.exit_code == 2  # type: ignore[attr-defined]
    assert "DELETE" not in [r.method for r in server.requests]


def test_what_dss_says_is_quoted_as_it_said_it(server: RecordingServer) -> None:
    said = "the node http://n1:12000 refused: the API node is full"
    server.queue("POST", f"{P}/deployments/d1/actions/update", 500, _error("Failure", said))
    with _client(server, retries=1) as client, pytest.raises(Exception) as caught:
        client.get_apideployer().get_deployment("d1").start_update()
    assert said in str(caught.value)
    assert "backend.log" in (caught.value.hint or "")  # type: ignore[attr-defined]
