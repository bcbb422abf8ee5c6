"""The official dataikuapi clients drive a whole deployment lifecycle against the emulator."""

from __future__ import annotations

import pytest
from dataikuapi import APINodeAdminClient, APINodeClient
from dataikuapi.utils import DataikuException


def generations(service):
    return {g["generationId"]: g for g in service.list_generations()}


def test_full_lifecycle(emulator, make_archive, tmp_path):
    admin = APINodeAdminClient(emulator.uri, emulator.admin_key)
    admin.create_service("churn")
    assert admin.list_services() == [{"serviceId": "churn", "enabled": True}]
    service = admin.service("churn")

    service.import_generation_from_archive(str(make_archive("v1", code_envs=("py39",))))
    service.import_generation_from_archive(str(make_archive("v2")))
    gens = generations(service)
    assert set(gens) == {"v1", "v2"}
    assert all(g["mounted"] is False and g["mapped"] == 0 for g in gens.values())
    assert all(isinstance(g["createdOn"], int) for g in gens.values())
    # The archive is copied into the data dir, so the original may go away.
    assert len(list((emulator.data_dir / "services").glob("churn/gens/*/archive.zip"))) == 2

    assert service.switch_to_newest() == {"switchedToGeneration": "v2"}
    assert generations(service)["v2"]["mapped"] == 1

    mapping = {
        "entries": [{"generation": "v1", "proba": 0.5}, {"generation": "v2", "proba": 0.5}],
        "note": "kept as given",
    }
    service.set_generations_mapping(mapping)
    assert {k: g["mapped"] for k, g in generations(service).items()} == {"v1": 0.5, "v2": 0.5}

    for bad in (
        {"entries": [{"generation": "v1", "proba": 0.9}]},
        {"entries": [{"generation": "nope", "proba": 1.0}]},
        {"entries": []},
        {"entries": [{"generation": "v1", "proba": 1.5}, {"generation": "v2", "proba": -0.5}]},
    ):
        with pytest.raises(DataikuException, match="Invalid mapping"):
            service.set_generations_mapping(bad)

    service.switch_to_single_generation("v1")
    assert generations(service)["v1"]["mapped"] == 1
    assert generations(service)["v2"]["mapped"] == 0
    service.preload_generation("v2")
    assert generations(service)["v2"]["mounted"] is True

    service.disable()
    assert admin.list_services()[0]["enabled"] is False
    user = APINodeClient(emulator.uri, "churn")
    with pytest.raises(DataikuException, match="disabled"):
        user.predict_record("predict", {"x": 1})
    service.enable()

    answer = user.predict_record("predict", {"x": 1}, forced_generation="v2")
    assert answer["generation"] == "v2" and answer["result"]["generation"] == "v2"
    assert answer["result"]["emulated"] is True
    assert answer == user.predict_record("predict", {"x": 1}, forced_generation="v2")
    assert user.predict_record("predict", {"x": 1})["generation"] == "v1"
    service.set_generations_mapping(mapping)
    sticky = {user.predict_record("predict", {"x": 2}, dispatch_key="cust-42")["generation"]}
    sticky |= {user.predict_record("predict", {"x": 3}, dispatch_key="cust-42")["generation"]}
    assert len(sticky) == 1
    multi = user.predict_records("predict", [{"features": {"x": 1}}, {"features": {"x": 2}}])
    assert len(multi["results"]) == 2

    auth = admin.auth()
    created = auth.add_key(label="ci", description="for CI", created_by="me", expiry=None)
    assert {"key", "id", "label", "createdOn"} <= set(created) and created["label"] == "ci"
    listed = auth.list_keys()
    assert {k["label"] for k in listed} == {"bootstrap", "ci"}
    assert all(k["key"] == "******" for k in listed)  # masked, as a node that hashes keys
    other = APINodeAdminClient(emulator.uri, created["key"])
    assert other.list_services()[0]["serviceId"] == "churn"
    auth.delete_key(created["key"])
    with pytest.raises(DataikuException, match="Key to delete not found$"):
        auth.delete_key(created["key"])
    with pytest.raises(DataikuException, match="Invalid API key"):
        other.list_services()
    second = auth.add_key(label="by-id")
    auth.delete_key_by_id(second["id"])
    assert {k["label"] for k in auth.list_keys()} == {"bootstrap"}
    with pytest.raises(DataikuException, match="UnauthorizedException"):
        APINodeAdminClient(emulator.uri, "wrong-key").list_services()

    metrics = admin.get_metrics()
    endpoint = metrics["services"]["churn"]["endpoints"]["predict"]
    assert endpoint["requests"] >= 6 and endpoint["errors"] == 1
    assert endpoint["latencyMs"]["max"] >= endpoint["latencyMs"]["mean"] >= 0
    assert metrics["admin"]["requests"] > 10

    env_dir = tmp_path / "py39"
    env_dir.mkdir()
    imported = admin.import_code_env_in_cache(str(env_dir), "python")
    assert imported["codeEnv"]["name"] == "py39"
    unused_dir = tmp_path / "unused-r"
    unused_dir.mkdir()
    admin.register_code_env_in_cache(str(unused_dir), str(unused_dir), "R")
    model = tmp_path / "model.zip"
    model.write_bytes(b"model")
    assert admin.import_model_archive_in_cache(str(model))["model"]["archivePath"] == str(model)
    admin.clear_model_cache()
    admin.clean_code_env_cache()  # prints its summary, as the official client does

    admin.create_service("old")
    admin.service("old").disable()
    service.switch_to_single_generation("v2")
    admin.clean_unused_services_and_generations()
    assert admin.list_services() == [{"serviceId": "churn", "enabled": True}]
    assert set(generations(service)) == {"v2"}

    service.delete()
    assert admin.list_services() == []
    with pytest.raises(DataikuException, match="not found"):
        service.list_generations()
