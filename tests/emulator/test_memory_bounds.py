"""Clients without a key cost no memory; the served journal never shows a key in a path."""

from __future__ import annotations

import requests

from apinode_admin_cli.emulator.faults import JOURNAL_BODY_BYTES


def test_refused_requests_keep_no_body(emulator):
    big = b"x" * (2 * 1024 * 1024)
    for _ in range(3):
        answer = requests.post(emulator.uri + "/admin/api/services", data=big, timeout=30,
                               auth=("not-a-key", ""))  # fmt: skip
        assert answer.status_code == 401
    refused = emulator.received[-3:]
    assert [e["body"] for e in refused] == [b""] * 3
    assert all(e["body_size"] == len(big) for e in refused)


def test_accepted_bodies_are_journaled_up_to_a_cap(emulator, api):
    api("POST", "/admin/api/services", data=b'{"serviceId": "a"}' + b" " * JOURNAL_BODY_BYTES)
    entry = emulator.received[-1]
    assert len(entry["body"]) == JOURNAL_BODY_BYTES and entry["body"].startswith(b'{"servi')
    wire = api("GET", "/__emulator__/requests").json()["requests"][-1]
    assert wire["bodySize"] == JOURNAL_BODY_BYTES + 18


def test_predictions_to_unknown_endpoints_add_no_counters(emulator, api, make_archive):
    api("POST", "/admin/api/services", json={"serviceId": "churn"})
    url = "/admin/api/services/churn/generations/actions/importFromArchive"
    api("POST", url, params={"filePath": str(make_archive("v1", endpoint="score"))})
    api("POST", "/admin/api/services/churn/actions/switchToNewest")
    session = requests.Session()
    for i in range(50):
        answer = session.post(f"{emulator.uri}/public/api/v1/churn/e{i}/predict",
                              json={"features": {}}, timeout=10)  # fmt: skip
        assert answer.status_code == 404
    assert session.post(f"{emulator.uri}/public/api/v1/churn/score/predict",
                        json={"features": {}}, timeout=10).ok  # fmt: skip
    metrics = api("GET", "/admin/api/metrics").json()
    assert list(metrics["services"]["churn"]["endpoints"]) == ["score"]


def test_the_journal_masks_a_key_in_a_path(emulator, api):
    secret = api("POST", "/admin/api/keys", json={}).json()["key"]
    assert api("DELETE", f"/admin/api/keys/{secret}").ok
    api("DELETE", "/admin/api/keys/%53ECRETSECRET")
    served = api("GET", "/__emulator__/requests").json()["requests"][-2:]
    assert [(e["path"], e["decodedPath"]) for e in served] == [("/admin/api/keys/***",) * 2] * 2
    wire = api("GET", "/__emulator__/requests").text
    assert secret not in wire and "SECRETSECRET" not in wire
    # In-process, the test that sent it may compare the exact request.
    assert emulator.received[-2]["path"] == f"/admin/api/keys/{secret}"


def test_a_refused_body_is_never_held_in_memory(emulator):
    import tracemalloc

    big = b"x" * (16 * 1024 * 1024)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        baseline = tracemalloc.get_traced_memory()[0]
        answer = requests.post(emulator.uri + "/admin/api/services", data=big, timeout=30,
                               auth=("not-a-key", ""))  # fmt: skip
        peak = tracemalloc.get_traced_memory()[1] - baseline
    finally:
        tracemalloc.stop()
    assert answer.status_code == 401 and answer.json()["message"] == "Invalid API key"
    # The client's own copy is made before tracing starts; the emulator reads it in pieces.
    assert peak < 4 * 1024 * 1024, peak
