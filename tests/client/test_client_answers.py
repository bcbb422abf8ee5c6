"""Answers that lie: 2xx without what the caller needs, JSON that is not JSON, lost answers."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from support.cli import closed_port_uri
from support.fault_server import RecordingServer

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient, LostAnswer
from apinode_admin_cli.errors import (
    APIError,
    ConnectionFailure,
    InvalidResponseError,
    NotFoundError,
    ServerError,
    TimeoutFailure,
)

Make = Callable[..., APINodeAdminClient]
WRONG = "the node answered 2xx but not the expected JSON"
GONE = {"errorType": "com.dataiku.dip.exceptions.UnknownObjectException", "message": "not found"}


@pytest.mark.parametrize(
    ("method", "path", "body", "call", "missing"),
    [
        ("POST", "/admin/api/keys", {}, lambda c: c.auth().add_key(), "no 'key' field"),
        ("POST", "/admin/api/keys", {"key": None}, lambda c: c.auth().add_key(), "null as its"),
        ("POST", "/admin/api/keys", ["k"], lambda c: c.auth().add_key(), "is an array"),
        (
            "POST",
            "/admin/api/services/s/actions/switchToNewest",
            {},
            lambda c: c.service("s").switch_to_newest(),
            "no 'switchedToGeneration'",
        ),
        (
            "POST",
            "/admin/api/services/s/actions/switchToNewest",
            ["x"],
            lambda c: c.service("s").switch_to_newest(),
            "switchToNewest is an array, not an object",
        ),
        ("GET", "/admin/api/services", [1, 2], lambda c: c.list_services(), "item 1"),
        ("GET", "/admin/api/services", {"s": 1}, lambda c: c.list_services(), "is an object"),
        ("GET", "/admin/api/services", [{"id": "s"}], lambda c: c.list_services(), "'serviceId'"),
        (
            "GET",
            "/admin/api/services/s/generations",
            {"generations": [1]},
            lambda c: c.service("s").list_generations(),
            "item 1 of the 'generations' field is a number",
        ),
        (
            "GET",
            "/admin/api/services/s/generations",
            {"gens": []},
            lambda c: c.service("s").get_generations(),
            "'generations' field is null",
        ),
        ("GET", "/admin/api/keys", [[]], lambda c: c.auth().list_keys(), "is an array, not an"),
        ("GET", "/admin/api/keys", "keys", lambda c: c.auth().list_keys(), "is a string"),
        ("GET", "/admin/api/metrics", [], lambda c: c.get_metrics(), "metrics is an array"),
    ],
)
def test_a_2xx_without_what_is_needed_is_an_invalid_response(
    server: RecordingServer,
    make_client: Make,
    method: str,
    path: str,
    body: Any,
    call: Callable[[APINodeAdminClient], Any],
    missing: str,
) -> None:
    server.queue(method, path, json_body=body)
    with pytest.raises(InvalidResponseError) as info:
        call(make_client())
    assert info.value.exit_code == 1
    assert info.value.message.startswith(WRONG + ": "), info.value.message
    assert missing in info.value.message
    assert len(server.requests) == 1  # nothing retried, nothing else sent


@pytest.mark.parametrize(
    "text", [b'{"x": NaN}', b'{"x": Infinity}', b'{"x": -Infinity}', b'{"x": 1e999}']
)
@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/admin/api/metrics", lambda c: c.get_metrics()),
        ("/admin/api/services-clean-unused", lambda c: c.clean_unused_services_and_generations()),
    ],
)
def test_nan_and_infinity_are_not_json(
    server: RecordingServer, make_client: Make, text: bytes, path: str, call: Any
) -> None:
    method = "GET" if path.endswith("metrics") else "DELETE"
    server.queue(method, path, body=text)
    with pytest.raises(InvalidResponseError, match="invalid JSON") as info:
        call(make_client())
    assert info.value.exit_code == 1


def test_json_nested_too_deeply_is_an_invalid_response(
    server: RecordingServer, make_client: Make
) -> None:
    server.queue("GET", "/admin/api/metrics", body=b"[" * 200_000 + b"]" * 200_000)
    with pytest.raises(InvalidResponseError, match="nested too deeply"):
        make_client().get_metrics()


@pytest.mark.parametrize(("status", "cls"), [(404, NotFoundError), (400, APIError)])
def test_a_deeply_nested_error_body_is_mapped_by_its_status(
    server: RecordingServer, make_client: Make, status: int, cls: type[APIError]
) -> None:
    body = b'{"message": "x", "detail": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    server.queue("DELETE", "/admin/api/services/s", status, body=body)
    with pytest.raises(APIError) as info:
        make_client().service("s").delete()
    assert type(info.value) is cls and info.value.status == status
    assert "nested too deeply" in info.value.message


# -- lost answers -------------------------------------------------------------------------------

DELETES: dict[str, tuple[str, Callable[[APINodeAdminClient], Any]]] = {
    "service": ("/admin/api/services/s", lambda c: c.service("s").delete()),
    "key": ("/admin/api/keys/SOME-KEY", lambda c: c.auth().delete_key("SOME-KEY")),
    "key by id": ("/admin/api/keys/k1/key", lambda c: c.auth().delete_key_by_id("k1")),
}


@pytest.mark.parametrize("lost", ["drop", "truncate", 502, 504])
@pytest.mark.parametrize("which", sorted(DELETES))
def test_a_retried_delete_that_finds_it_gone_succeeded(
    server: RecordingServer,
    make_client: Make,
    http_log: pytest.LogCaptureFixture,
    which: str,
    lost: Any,
) -> None:
    path, call = DELETES[which]
    if isinstance(lost, int):
        server.queue("DELETE", path, lost, {"message": "upstream timed out"})
    else:
        server.queue("DELETE", path, body=b'{"ok": true}', action=lost)
    server.queue("DELETE", path, 404, GONE)
    answer = call(make_client())
    assert isinstance(answer, LostAnswer) and answer.answer_lost
    assert answer == {"ok": True}
    assert "earlier attempt deleted it" in answer.note
    assert len(server.requests) == 2
    assert any("earlier attempt deleted it" in r.getMessage() for r in http_log.records)


def test_a_delete_refused_with_503_then_not_found_is_not_found(
    server: RecordingServer, make_client: Make
) -> None:
    # 503 says the node did not take the request: the thing never existed.
    server.queue("DELETE", "/admin/api/services/s", 503, {"message": "starting"})
    server.queue("DELETE", "/admin/api/services/s", 404, GONE)
    with pytest.raises(NotFoundError):
        make_client().service("s").delete()


def test_a_plain_delete_answer_is_not_marked_lost(
    server: RecordingServer, make_client: Make
) -> None:
    answer = make_client().service("s").delete()
    assert answer == {"ok": True} and not getattr(answer, "answer_lost", False)


CLEANUPS: dict[str, tuple[str, Callable[[APINodeAdminClient], Any]]] = {
    "clean unused": (
        "/admin/api/services-clean-unused",
        lambda c: c.clean_unused_services_and_generations(),
    ),
    "clean code envs": ("/admin/api/cached-code-envs", lambda c: c.clean_code_env_cache()),
}


@pytest.mark.parametrize("lost", ["drop", "truncate"])
@pytest.mark.parametrize("which", sorted(CLEANUPS))
def test_a_cleanup_whose_answer_was_lost_is_not_retried(
    server: RecordingServer, make_client: Make, which: str, lost: str
) -> None:
    path, call = CLEANUPS[which]
    server.queue("DELETE", path, body=b'{"deletedGenerations": [{"serviceId": "s"}]}', action=lost)
    with pytest.raises(ConnectionFailure) as info:
        call(make_client())
    assert len(server.requests) == 1
    assert "may have applied the DELETE" in info.value.message
    assert info.value.exit_code == 7


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize("which", sorted(CLEANUPS))
def test_a_cleanup_is_not_retried_after_a_busy_status(
    server: RecordingServer, make_client: Make, which: str, status: int
) -> None:
    path, call = CLEANUPS[which]
    server.queue("DELETE", path, status, {"message": "busy"})
    with pytest.raises(ServerError):
        call(make_client())
    assert len(server.requests) == 1


def test_emptying_the_model_cache_is_repeatable(server: RecordingServer, make_client: Make) -> None:
    server.queue("DELETE", "/admin/api/model-cache", action="drop")
    assert make_client().clear_model_cache() == {"ok": True}
    assert len(server.requests) == 2


def test_cleanups_are_retried_when_the_node_was_never_reached(make_client: Make) -> None:
    waits: list[float] = []
    client = make_client(uri=closed_port_uri(), retries=3, sleep=waits.append)
    with pytest.raises(ConnectionFailure, match="refused"):
        client.clean_unused_services_and_generations()
    assert len(waits) == 2


def test_a_write_that_timed_out_may_have_been_applied(
    server: RecordingServer, make_client: Make
) -> None:
    server.queue("POST", "/admin/api/services/my%20svc/actions/enable", delay=1.0)
    with pytest.raises(TimeoutFailure) as info:
        make_client(timeout=0.3).service("my svc").enable()
    assert "may have applied the POST" in info.value.message
    assert info.value.hint is not None
    assert "`apinode-admin services list`" in info.value.hint and "--timeout" in info.value.hint


def test_a_prediction_that_timed_out_is_not_said_to_be_applied(server: RecordingServer) -> None:
    server.queue("POST", "/public/api/v1/s/ep/predict", delay=1.0)
    client = APINodeClient(server.url, "s", timeout=0.3)
    with client, pytest.raises(TimeoutFailure) as info:
        client.predict_record("ep", {"a": 1})
    assert "did not answer within 0.3 s" in info.value.message
    assert "applied" not in info.value.message + str(info.value.hint)
