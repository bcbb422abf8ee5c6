"""Wire equivalence: our client and dataikuapi's send the same requests for every operation."""

from __future__ import annotations

import base64
import json
from typing import Any, Callable

import dataikuapi
import pytest
from support.fault_server import KEY, Recorded, RecordingServer, TinyServer, answer

from apinode_admin_cli.client import APINodeAdminClient, APINodeClient

MAPPING = {"entries": [{"generation": "v1", "proba": 0.25}, {"generation": "v2", "proba": 0.75}]}
Op = Callable[[Any], Any]

# name -> (call made identically on both clients, canned answer for the route or None)
ADMIN_OPS: dict[str, tuple[Op, Any]] = {
    "create_service": (lambda c: c.create_service("svc1"), None),
    "list_services": (lambda c: c.list_services(), [{"serviceId": "svc1", "enabled": True}]),
    "delete_service": (lambda c: c.service("svc1").delete(), None),
    "list_generations": (lambda c: c.service("svc1").list_generations(), {"generations": []}),
    "import_generation": (
        lambda c: c.service("svc1").import_generation_from_archive("pkgs/v1 new.zip"),
        None,
    ),
    "preload_generation": (lambda c: c.service("svc1").preload_generation("v1"), None),
    "enable": (lambda c: c.service("svc1").enable(), None),
    "disable": (lambda c: c.service("svc1").disable(), None),
    "set_mapping": (lambda c: c.service("svc1").set_generations_mapping(MAPPING), None),
    "set_empty_mapping": (lambda c: c.service("svc1").set_generations_mapping({}), None),
    "switch_to_newest": (
        lambda c: c.service("svc1").switch_to_newest(),
        {"switchedToGeneration": "v2"},
    ),
    "switch_to": (lambda c: c.service("svc1").switch_to_single_generation("v2"), None),
    "list_keys": (lambda c: c.auth().list_keys(), [{"id": "k1", "label": "ci"}]),
    "add_key": (
        lambda c: c.auth().add_key(label="ci", created_by="me", expiry="2030-01-01"),
        {"key": "NEW", "id": "k2"},
    ),
    "add_key_defaults": (lambda c: c.auth().add_key(), {"key": "NEW", "id": "k3"}),
    "delete_key": (lambda c: c.auth().delete_key("SOME-OTHER-KEY"), None),
    "delete_key_by_id": (lambda c: c.auth().delete_key_by_id("k1"), None),
    "get_metrics": (lambda c: c.get_metrics(), {"jvm": {"heap": 1}}),
    "import_code_env": (lambda c: c.import_code_env_in_cache("/data/env a", "python"), {}),
    "clean_code_env_cache": (lambda c: c.clean_code_env_cache(), {"deleted": []}),
    "register_code_env": (
        lambda c: c.register_code_env_in_cache("/exp", "/built", "R"),
        {"ok": True},
    ),
    "import_model_archive": (lambda c: c.import_model_archive_in_cache("/m/a.zip"), {}),
    "clear_model_cache": (lambda c: c.clear_model_cache(), None),
    "clean_unused": (lambda c: c.clean_unused_services_and_generations(), {"services": []}),
}

PREDICTION = {"result": {"prediction": "yes"}}

# name -> (call made identically on both clients, canned answer)
USER_OPS: dict[str, tuple[Op, Any]] = {
    "predict_record": (
        lambda c: c.predict_record(
            "ep1",
            {"a": 1, "b": "x"},
            forced_generation="v1",
            context={"who": "me"},
            with_explanations=True,
            explanation_method="ICE",
            n_explanations=3,
        ),
        PREDICTION,
    ),
    "predict_record_plain": (
        lambda c: c.predict_record("ep1", {"a": 1}, dispatch_key="k"),
        PREDICTION,
    ),
    "predict_records": (
        lambda c: c.predict_records(
            "ep1",
            [{"features": {"a": 1}}, {"features": {"a": 2}, "context": {"c": 1}}],
            dispatch_key="d",
        ),
        {"results": []},
    ),
    "forecast": (lambda c: c.forecast("ep1", [{"t": 1}], forced_generation="v1"), {"results": []}),
    "predict_effect": (lambda c: c.predict_effect("ep1", {"a": 1}, dispatch_key="k"), PREDICTION),
    "predict_effects": (lambda c: c.predict_effects("ep1", [{"features": {"a": 1}}]), {}),
    "sql_query": (lambda c: c.sql_query("ep1", {"limit": 3}), {"columns": [], "rows": []}),
    "lookup_record": (
        lambda c: c.lookup_record("ep1", {"id": 7}, context={"who": "me"}),
        {"results": [{"data": {"name": "x"}}]},
    ),
    "lookup_records": (lambda c: c.lookup_records("ep1", [{"data": {"id": 7}}]), {"results": []}),
    "run_function": (lambda c: c.run_function("ep1", x=1, y="two"), {"response": 3}),
    "run_function_no_args": (lambda c: c.run_function("ep1"), {"response": 3}),
}


def _record(server: RecordingServer, call: Op, client: Any, answer: Any) -> tuple[Recorded, Any]:
    """The one request ``call`` sent, and what the call returned."""
    server.clear()
    server.default.body = json.dumps({"ok": True} if answer is None else answer).encode()
    result = call(client)
    assert len(server.requests) == 1, server.requests
    return server.requests[0], result


def _same_wire(ours: Recorded, theirs: Recorded) -> None:
    assert ours.method == theirs.method
    assert ours.path == theirs.path
    assert ours.query == theirs.query
    assert ours.body == theirs.body
    if theirs.body:
        assert json.loads(ours.body) == json.loads(theirs.body)
    assert ours.headers.get("Authorization") == theirs.headers.get("Authorization")
    assert ours.headers.get("Content-Type") == theirs.headers.get("Content-Type")
    assert ours.headers.get("Content-Length") == theirs.headers.get("Content-Length")


@pytest.mark.parametrize("name", sorted(ADMIN_OPS))
def test_admin_operation_matches_official_client(
    name: str, server: RecordingServer, capsys: pytest.CaptureFixture[str]
) -> None:
    call, answer = ADMIN_OPS[name]
    official = dataikuapi.APINodeAdminClient(server.url, KEY)
    theirs, _ = _record(server, call, official, answer)
    with APINodeAdminClient(server.url, KEY) as client:
        ours, _ = _record(server, call, client, answer)
    _same_wire(ours, theirs)
    expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert ours.headers["Authorization"] == expected
    assert ours.headers["User-Agent"].startswith("apinode-admin/")


@pytest.mark.parametrize("name", sorted(USER_OPS))
@pytest.mark.parametrize("key", [None, "SERVICE-KEY-42"])
def test_user_api_matches_official_client(name: str, key: Any, server: RecordingServer) -> None:
    call, answer = USER_OPS[name]
    official = dataikuapi.APINodeClient(server.url, "svc1", key)
    theirs, their_result = _record(server, call, official, answer)
    with APINodeClient(server.url, "svc1", key) as client:
        ours, our_result = _record(server, call, client, answer)
    _same_wire(ours, theirs)
    assert our_result == their_result
    assert ours.path.startswith("/public/api/v1/svc1/ep1/")


def test_no_content_type_and_no_body_like_official(server: RecordingServer) -> None:
    with APINodeAdminClient(server.url, KEY) as client:
        client.service("svc1").enable()
        client.create_service("svc2")
    enable, create = server.requests
    assert enable.body == b"" and "Content-Type" not in enable.headers
    assert create.body == b'{"serviceId": "svc2"}' and "Content-Type" not in create.headers


def test_trailing_slash_uri_is_normalised_where_official_doubles_it(
    server: RecordingServer,
) -> None:
    dataikuapi.APINodeAdminClient(server.url + "/", KEY).list_services()
    with APINodeAdminClient(server.url + "/", KEY) as client:
        client.list_services()
    theirs, ours = server.requests
    # Depending on the urllib3 version, the official "//admin/api" goes out as is or collapsed.
    assert theirs.target in ("//admin/api/services", "/admin/api/services")
    assert ours.target == "/admin/api/services"


def test_odd_ids_are_percent_encoded(server: RecordingServer) -> None:
    with APINodeAdminClient(server.url, KEY) as client:
        client.service("a/b c?d#e").switch_to_single_generation("v 1/x")
        client.auth().delete_key("k+/=")
    switch, delete = server.requests
    assert switch.path == "/admin/api/services/a%2Fb%20c%3Fd%23e/actions/switchTo/v%201%2Fx"
    assert switch.query == {}
    assert delete.path == "/admin/api/keys/k%2B%2F%3D"


def test_a_read_with_odd_ids_goes_out_as_requests_would_send_it(server: RecordingServer) -> None:
    # Plain reads skip requests' preparation (client/direct.py): same target, same headers.
    server.queue(
        "GET", "/admin/api/services/a%2Fb%20c%3Fd%23e~/generations", json_body={"generations": []}
    )
    with APINodeAdminClient(server.url + "/", KEY) as client:
        client.service("a/b c?d#e~").get_generations()
    dataikuapi.APINodeAdminClient(server.url, KEY).list_services()
    with APINodeAdminClient(server.url, KEY) as client:
        client.list_services()
    read, theirs, ours = server.requests
    assert read.target == "/admin/api/services/a%2Fb%20c%3Fd%23e~/generations"
    _same_wire(ours, theirs)


LISTED = [{"serviceId": "s", "enabled": True}]


def _listed(headers: dict[str, str]) -> Any:
    return answer(
        "200 OK", json.dumps(LISTED).encode(), {"Content-Type": "application/json", **headers}
    )


def test_a_redirected_read_is_followed() -> None:
    moved = answer("302 Found", b"", {"Location": "/elsewhere/admin/api/services"})
    with TinyServer(moved, moved, _listed({})) as tiny, APINodeAdminClient(tiny.uri, KEY) as client:
        assert client.list_services() == LISTED
    # The direct read hands a redirect to requests, which asks again and follows it.
    targets = [head.split(b" ")[1] for head in tiny.requests]
    assert targets == [b"/admin/api/services"] * 2 + [b"/elsewhere/admin/api/services"]


def test_a_cookie_the_node_sets_is_sent_back() -> None:
    # A load balancer pinning a client to a node: the cookie must come back, as with requests.
    pinned = _listed({"Set-Cookie": "pin=node-2; Path=/"})
    with TinyServer(pinned) as tiny, APINodeAdminClient(tiny.uri, KEY) as client:
        assert client.list_services() == LISTED
        assert client.list_services() == LISTED
    assert [b"Cookie: pin=node-2" in head for head in tiny.requests] == [False, False, True]


def test_actions_return_the_json_answer_or_none(server: RecordingServer) -> None:
    server.queue("DELETE", "/admin/api/services-clean-unused", json_body={"deleted": ["s"]})
    server.queue("POST", "/admin/api/services/s/actions/enable", body=b"")
    with APINodeAdminClient(server.url, KEY) as client:
        assert client.clean_unused_services_and_generations() == {"deleted": ["s"]}
        assert client.service("s").enable() is None
        assert client.service("s").disable() == {"ok": True}


def test_bearer_token_matches_official_client(server: RecordingServer) -> None:
    call, answer = USER_OPS["predict_record_plain"]
    official = dataikuapi.APINodeClient(server.url, "svc1", bearer_token="JWT-TOKEN")
    theirs, _ = _record(server, call, official, answer)
    with APINodeClient(server.url, "svc1", bearer_token="JWT-TOKEN") as client:
        ours, _ = _record(server, call, client, answer)
    _same_wire(ours, theirs)
    assert ours.headers["Authorization"] == "Bearer JWT-TOKEN"
