"""Drain: ``apinode-not-alive.txt`` in the data dir fails the health probe, not the services."""

from __future__ import annotations

import requests

from apinode_admin_cli.emulator.handler import DRAIN_FILE


def test_drain_file_fails_is_alive_while_services_answer(emulator, api, make_archive):
    api("POST", "/admin/api/services", json={"serviceId": "churn"})
    url = "/admin/api/services/churn/generations/actions/importFromArchive"
    assert api("POST", url, params={"filePath": str(make_archive("v1"))}).ok
    assert api("POST", "/admin/api/services/churn/actions/switchToNewest").ok
    probe = emulator.uri + "/isAlive/"
    predict = emulator.uri + "/public/api/v1/churn/score/predict"
    assert requests.get(probe, timeout=10).status_code == 200

    (emulator.data_dir / DRAIN_FILE).write_text("upgrade in progress\n")
    drained = requests.get(probe, timeout=10)
    assert drained.status_code == 503, drained.text
    body = drained.json()
    assert body["alive"] is False
    assert DRAIN_FILE in body["message"] and body["errorType"].startswith("com.dataiku.")
    assert drained.headers["DSS-Version"]
    assert requests.head(probe, timeout=10).status_code == 503
    answer = requests.post(predict, json={"features": {"x": 1}}, timeout=10)
    assert answer.status_code == 200 and answer.json()["generation"] == "v1"
    assert api("GET", "/admin/api/services").json() == [{"serviceId": "churn", "enabled": True}]

    (emulator.data_dir / DRAIN_FILE).unlink()
    back = requests.get(probe, timeout=10)
    assert back.status_code == 200 and back.json()["alive"] is True
