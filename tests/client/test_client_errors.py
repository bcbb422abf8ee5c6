"""Error mapping over real sockets: every failure lands in the right class with a hint."""

from __future__ import annotations

import base64
import json
import socket
import traceback
from typing import Any, Callable
from urllib.parse import quote

import pytest
from support.fault_server import KEY, RecordingServer

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
from apinode_admin_cli.errors import (
    APIError,
    ApinodeAdminError,
    AuthenticationError,
    ConflictError,
    ConnectionFailure,
    InvalidResponseError,
    NotAnAPINodeError,
    NotFoundError,
    ServerError,
    UsageError,
)

Make = Callable[..., APINodeAdminClient]
SERVICES = "/admin/api/services"
HTML = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@pytest.mark.parametrize(
    ("status", "payload", "cls", "exit_code"),
    [
        (401, {"errorType": "Unauthorized", "message": "No API key"}, AuthenticationError, 4),
        (403, {"message": "Forbidden"}, AuthenticationError, 4),
        (404, {"message": "Unknown path"}, NotFoundError, 5),
        (500, {"errorType": "IllegalArgument", "message": "Service x not found"}, NotFoundError, 5),
        (409, {"message": "Service exists"}, ConflictError, 6),
        (400, {"errorType": "BadRequest", "message": "bad id"}, APIError, 1),
        (500, {"errorType": "java.lang.NPE", "message": "boom"}, ServerError, 7),
    ],
)
def test_status_mapping(
    server: RecordingServer,
    make_client: Make,
    status: int,
    payload: dict[str, str],
    cls: type[APIError],
    exit_code: int,
) -> None:
    server.queue("GET", SERVICES, status, payload)
    with pytest.raises(ApinodeAdminError) as info:
        make_client().list_services()
    err = info.value
    assert type(err) is cls and isinstance(err, APIError)
    assert err.exit_code == exit_code
    assert err.status == status
    assert err.error_type == payload.get("errorType")
    assert err.message == payload["message"]
    assert err.hint and "\n" not in err.hint
    assert err.to_json()["error"] == {
        "status": status,
        "errorType": payload.get("errorType"),
        "message": payload["message"],
    }


def test_detailed_message_is_kept_and_preferred(server: RecordingServer, make_client: Make) -> None:
    payload = {
        "errorType": "com.dataiku.dip.exceptions.CodedException",
        "message": "Failed to import",
        "detailedMessage": "Failed to import, caused by: FileNotFoundException: /x.zip",
    }
    server.queue(
        "POST", "/admin/api/services/s/generations/actions/importFromArchive", 500, payload
    )
    with pytest.raises(ServerError) as info:
        make_client().service("s").import_generation_from_archive("/x.zip")
    assert info.value.message == payload["detailedMessage"]
    assert info.value.detailed_message == payload["detailedMessage"]


def test_unknown_key_delete_is_not_found(server: RecordingServer, make_client: Make) -> None:
    server.queue("DELETE", "/admin/api/keys/nope", 500, {"message": "Key to delete not found"})
    with pytest.raises(NotFoundError):
        make_client().auth().delete_key("nope")


def test_html_proxy_page_is_summarised(server: RecordingServer, make_client: Make) -> None:
    server.queue(
        "POST", "/admin/api/services/", 502, body=HTML, headers={"Content-Type": "text/html"}
    )
    with pytest.raises(ServerError) as info:
        make_client().create_service("s")
    msg = info.value.message
    assert msg == (
        "the node answered HTTP 502 Bad Gateway with an HTML page, not JSON "
        "(a proxy in front of the node?)"
    )


def test_invalid_json_on_2xx(server: RecordingServer, make_client: Make) -> None:
    server.queue("GET", "/admin/api/metrics", body=b"{not json", headers={})
    with pytest.raises(InvalidResponseError) as info:
        make_client().get_metrics()
    assert "invalid JSON" in info.value.message


def test_html_200_on_an_action_is_refused(server: RecordingServer, make_client: Make) -> None:
    server.queue(
        "DELETE", "/admin/api/model-cache", body=HTML, headers={"Content-Type": "text/html"}
    )
    with pytest.raises(NotAnAPINodeError) as caught:
        make_client().clear_model_cache()
    assert "does not look like an API node: DELETE /admin/api/model-cache" in str(caught.value)
    assert caught.value.exit_code == 7


def test_empty_2xx(server: RecordingServer, make_client: Make) -> None:
    server.queue("POST", "/admin/api/services/", 200, body=b"")
    server.queue("GET", SERVICES, 200, body=b"")
    client = make_client()
    assert client.create_service("s") is None
    with pytest.raises(InvalidResponseError):
        client.list_services()


def test_huge_body_is_refused(server: RecordingServer, make_client: Make) -> None:
    server.queue("GET", "/admin/api/metrics", json_body={"x": "y" * 5000})
    with pytest.raises(InvalidResponseError) as info:
        make_client(max_body_bytes=1024).get_metrics()
    assert "larger than 1024 bytes" in info.value.message


def test_huge_body_without_length_is_refused_while_streaming(
    server: RecordingServer, make_client: Make
) -> None:
    server.queue("GET", "/admin/api/metrics", json_body={"x": "y" * 300_000}, action="unsized")
    with pytest.raises(InvalidResponseError) as info:
        make_client(max_body_bytes=100_000).get_metrics()
    assert "larger than 100000 bytes" in info.value.message


def test_body_without_length_is_read_to_the_end(server: RecordingServer, make_client: Make) -> None:
    server.queue("GET", "/admin/api/metrics", json_body={"x": "y" * 300_000}, action="unsized")
    assert len(make_client().get_metrics()["x"]) == 300_000


def test_list_generations_needs_the_generations_array(
    server: RecordingServer, make_client: Make
) -> None:
    server.queue("GET", "/admin/api/services/s/generations", json_body=[])
    with pytest.raises(InvalidResponseError):
        make_client().service("s").list_generations()


def test_service_key_hint_on_user_api(server: RecordingServer) -> None:
    server.queue("POST", "/public/api/v1/s/ep/predict", 401, {"message": "no key"})
    with (
        APINodeClient(server.url, "s", retries=1) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.predict_record("ep", {"a": 1})
    assert "--service-key" in (info.value.hint or "")


DELETED = "DELETED+KEY/0987654321"


def _forms(secret: str) -> list[str]:
    return [secret, quote(secret, safe=""), base64.b64encode(f"{secret}:".encode()).decode()]


def test_key_never_in_messages_or_logs(
    server: RecordingServer, make_client: Make, http_log: pytest.LogCaptureFixture
) -> None:
    basic = base64.b64encode(f"{KEY}:".encode()).decode()
    echo = {"message": f"bad key {KEY} (Basic {basic})", "detailedMessage": f"{KEY} refused"}
    server.queue("GET", SERVICES, 401, echo)
    server.queue(
        "DELETE", f"/admin/api/keys/{quote(DELETED, safe='')}", 500, {"message": f"{DELETED}?"}
    )
    client = make_client()
    texts: list[str] = []
    for call in (client.list_services, lambda: client.auth().delete_key(DELETED)):
        with pytest.raises(APIError) as info:
            call()
        err = info.value
        texts += [str(err), err.message, err.detailed_message or "", json.dumps(err.to_json())]
        texts += [str(a) for a in err.args]
    texts += [r.getMessage() for r in http_log.records]
    blob = "\n".join(texts)
    assert "****7890" in blob and "****4321" in blob
    assert "DELETE " in blob  # the exchange was logged, with the path masked
    for secret in (KEY, DELETED):
        for form in _forms(secret):
            assert form not in blob
    assert "Authorization" not in blob


@pytest.mark.parametrize(
    ("path", "body", "call"),
    [
        (SERVICES, 7, lambda c: c.list_services()),
        ("/admin/api/keys", {"keys": []}, lambda c: c.auth().list_keys()),
        ("/admin/api/metrics", [1, 2], lambda c: c.get_metrics()),
        ("/admin/api/services/s/generations", [], lambda c: c.service("s").list_generations()),
        (
            "/admin/api/services/s/generations",
            {"generations": 3},
            lambda c: c.service("s").get_generations(),
        ),
    ],
)
def test_answers_of_the_wrong_shape_are_invalid_responses(
    server: RecordingServer, make_client: Make, path: str, body: Any, call: Any
) -> None:
    server.queue("GET", path, json_body=body)
    with pytest.raises(InvalidResponseError) as info:
        call(make_client())
    assert "the node answered 2xx but not the expected JSON" in info.value.message
    assert info.value.exit_code == 1


def test_lookups_check_records_and_answers(server: RecordingServer) -> None:
    server.queue("POST", "/public/api/v1/s/ep/lookup", json_body={"results": []})
    with APINodeClient(server.url, "s") as client:
        with pytest.raises(UsageError, match="'data'"):
            client.lookup_records("ep", [{"features": {}}])
        with pytest.raises(InvalidResponseError, match="no result"):
            client.lookup_record("ep", {"id": 1})
    assert [r.path for r in server.requests] == ["/public/api/v1/s/ep/lookup"]


def test_a_secret_in_the_url_stays_out_of_the_traceback(make_client: Make) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(uri=f"http://127.0.0.1:{port}", retries=1)
    with pytest.raises(ConnectionFailure) as info:
        client.auth().delete_key(DELETED)
    err = info.value
    text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    assert "refused" in text
    for form in _forms(DELETED):
        assert form not in text
