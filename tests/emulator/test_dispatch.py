"""Generation dispatch of the user API: weighted draws, sticky keys, forced generations."""

from __future__ import annotations

import collections

import pytest
import requests

from apinode_admin_cli.emulator.user_api import pick_from_mapping, unit_point


@pytest.fixture
def weighted(api, make_archive, emulator):
    api("POST", "/admin/api/services", json={"serviceId": "w"})
    for name in ("a", "b"):
        url = "/admin/api/services/w/generations/actions/importFromArchive"
        api("POST", url, params={"filePath": str(make_archive(name))})
    mapping = {"entries": [{"generation": "a", "proba": 0.7}, {"generation": "b", "proba": 0.3}]}
    assert api("POST", "/admin/api/services/w/actions/setMapping", json=mapping).ok
    return emulator.uri + "/public/api/v1/w/score/predict"


def test_seventy_thirty_split(weighted):
    session = requests.Session()
    served = collections.Counter(
        session.post(weighted, json={"features": {"i": i}}).json()["generation"]
        for i in range(1000)
    )
    assert 0.62 <= served["a"] / 1000 <= 0.78, served


def test_dispatch_key_is_sticky(weighted, api):
    session = requests.Session()
    for key in ("alice", "bob", 17, "carol"):
        body = {"features": {"x": 1}, "dispatch": {"dispatchKey": key}}
        landed = {session.post(weighted, json=body).json()["generation"] for _ in range(20)}
        assert len(landed) == 1, (key, landed)
    spread = {
        session.post(weighted, json={"features": {}, "dispatch": {"dispatchKey": f"k{i}"}}).json()[
            "generation"
        ]
        for i in range(60)
    }
    assert spread == {"a", "b"}


def test_forced_generation_wins_and_counts(weighted, api):
    body = {"features": {"x": 1}, "dispatch": {"forcedGeneration": "b"}}
    answers = [requests.post(weighted, json=body).json() for _ in range(5)]
    assert {a["generation"] for a in answers} == {"b"}
    assert answers[0]["apiContext"]["serviceGeneration"] == "b"
    assert answers[0] == answers[-1]  # placeholders are deterministic per features
    generations = api("GET", "/admin/api/services/w/generations").json()["generations"]
    # Both take traffic in the mapping, so both are loaded whatever served these requests.
    assert {g["generationId"]: g["mounted"] for g in generations} == {"a": True, "b": True}
    metrics = api("GET", "/admin/api/metrics").json()
    assert metrics["services"]["w"]["endpoints"]["score"]["generations"] == {"b": 5}


def test_predict_multi(weighted):
    url = weighted + "-multi"
    items = [{"features": {"i": i}} for i in range(3)]
    answer = requests.post(url, json={"items": items}).json()
    assert [r["generation"] for r in answer["results"]] == [answer["generation"]] * 3
    assert all(r["emulated"] for r in answer["results"])


def test_cumulative_line():
    mapping = {"entries": [{"generation": "a", "proba": 0.25}, {"generation": "b", "proba": 0.75}]}
    assert pick_from_mapping(mapping, 0.0) == "a"
    assert pick_from_mapping(mapping, 0.2499) == "a"
    assert pick_from_mapping(mapping, 0.25) == "b"
    assert pick_from_mapping(mapping, 0.99999) == "b"
    assert pick_from_mapping({"entries": [{"generation": "a", "proba": 0}]}, 0.5) is None
    assert unit_point("k") == unit_point("k") and 0 <= unit_point("k") < 1
