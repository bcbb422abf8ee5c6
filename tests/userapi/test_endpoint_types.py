"""Every endpoint type on the emulator, queried by the official client and by ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import dataikuapi
import pytest
import requests
from dataikuapi.utils import DataikuException
from support.userapi import SERVICE_KEY, package

from apinode_admin_cli.client import APINodeClient
from apinode_admin_cli.errors import APIError

Call = Callable[[Any], Any]


SALES = [
    {"date": "2024-01-01T00:00:00.000Z", "store": "A", "target": 10.0},
    {"date": "2024-01-02T00:00:00.000Z", "store": "A", "target": 14.0},
    {"date": "2024-01-01T00:00:00.000Z", "store": "B", "target": 3.0},
]

# name -> the same call on the official client and on ours
CALLS: dict[str, Call] = {
    "predict_plain": lambda c: c.predict_record("plain", {"a": 1}),
    "predict_explained": lambda c: c.predict_record(
        "churn", {"age": 40, "plan": "gold"}, with_explanations=True, n_explanations=1
    ),
    "predict_multiclass": lambda c: c.predict_record("species", {"ears": 2}, context={"r": 1}),
    "predict_regression": lambda c: c.predict_record("price", {"m2": 70}, forced_generation="v1"),
    "predict_records": lambda c: c.predict_records(
        "churn", [{"features": {"age": 30}}, {"features": {"plan": "x"}}], dispatch_key="u1"
    ),
    "clustering": lambda c: c.predict_records("segments", [{"features": {"x": 1}}]),
    "forecast": lambda c: c.forecast("sales", SALES),
    "predict_effect": lambda c: c.predict_effect("uplift", {"age": 3}),
    "predict_effects": lambda c: c.predict_effects("uplift", [{"features": {"age": 3}}]),
    "run_function": lambda c: c.run_function("score", x=2, y="z"),
    "run_function_no_args": lambda c: c.run_function("hello"),
    "sql_query": lambda c: c.sql_query("customers", {"email": "bob@x.io"}),
    "sql_query_all": lambda c: c.sql_query("customers", {}),
    "lookup_record": lambda c: c.lookup_record("customer", {"email": "cat@x.io"}),
    "lookup_records": lambda c: c.lookup_records(
        "customer", [{"data": {"email": "ann@x.io"}}, {"data": {"email": "nobody"}}]
    ),
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_official_client_call_works_and_ours_gets_the_same(name: str, shop_node: Any) -> None:
    theirs = CALLS[name](dataikuapi.APINodeClient(shop_node.uri, "shop"))
    with APINodeClient(shop_node.uri, "shop") as client:
        ours = CALLS[name](client)
    assert ours == theirs  # deterministic answers, the same request
    if name.startswith("lookup_record") and name.endswith("record"):
        assert theirs == {"data": {"name": "Cat", "orders": 7}, "ignored": False}
    else:
        assert theirs["apiContext"]["serviceId"] == "shop"
        assert theirs["apiContext"]["serviceGeneration"] == "v1"
        assert set(theirs["timing"]) >= {"preProcessing", "postProcessing"}


def test_prediction_shapes(shop_node: Any) -> None:
    client = dataikuapi.APINodeClient(shop_node.uri, "shop")
    churn = client.predict_record("churn", {"age": 40}, with_explanations=True)["result"]
    assert churn["prediction"] in ("stay", "leave")
    assert set(churn["probas"]) == {"stay", "leave"}
    assert abs(sum(churn["probas"].values()) - 1) < 1e-3
    assert 1 <= churn["probaPercentile"] <= 100
    assert list(churn["explanations"]) == ["age"] and churn["ignored"] is False
    unexplained = client.predict_record("churn", {"age": 40})["result"]
    assert "explanations" not in unexplained
    assert unexplained["probas"] == churn["probas"]
    species = client.predict_record("species", {"ears": 2})["result"]
    assert species["prediction"] == max(species["probas"], key=species["probas"].get)
    assert isinstance(client.predict_record("price", {"m2": 1})["result"]["prediction"], float)
    many = client.predict_records("churn", [{"features": {"age": 1}}, {"features": {}}])
    assert many["results"][1] == {
        "ignored": True,
        "ignoreReason": "IGNORED_BY_MODEL",
        "generation": "v1",
        "emulated": True,
    }
    cluster = client.predict_record("segments", {"x": 1})["result"]["prediction"]
    assert cluster in ("a", "b")


def test_forecast_points(shop_node: Any) -> None:
    points = dataikuapi.APINodeClient(shop_node.uri, "shop").forecast("sales", SALES)["results"]
    assert [(p["timeseriesIdentifier"], p["time"]) for p in points] == [
        ({"store": "A"}, "2024-01-03T00:00:00.000000Z"),
        ({"store": "A"}, "2024-01-04T00:00:00.000000Z"),
        ({"store": "B"}, "2024-01-02T00:00:00.000000Z"),
        ({"store": "B"}, "2024-01-03T00:00:00.000000Z"),
    ]
    for point in points:
        assert point["quantiles"] == [0.05, 0.5, 0.95]
        low, mid, high = point["quantilesValues"]
        assert low < mid < high and mid == point["forecast"]


def test_function_sql_and_lookup_answers(shop_node: Any) -> None:
    client = dataikuapi.APINodeClient(shop_node.uri, "shop")
    assert client.run_function("hello")["response"] == {"greeting": "hi"}
    echoed = client.run_function("score", x=2)["response"]
    assert echoed["arguments"] == {"x": 2}
    rows = client.sql_query("customers", {"orders": "3"})
    assert rows["columns"] == ["email", "name", "orders"]
    assert rows["rows"] == [["bob@x.io", "Bob", "3"]]  # SQL rows come back as text
    found, missing = client.lookup_records(
        "customer", [{"data": {"email": "ann@x.io"}}, {"data": {"email": "zed@x.io"}}]
    )["results"]
    assert found == {"data": {"name": "Ann", "orders": 12}, "ignored": False}
    assert missing == {"data": None, "ignored": True, "ignoreReason": "NOT_FOUND"}


@pytest.mark.parametrize(
    ("call", "status", "words"),
    [
        (lambda c: c.predict_record("nope", {"a": 1}), 404, "Endpoint 'nope' not found"),
        (lambda c: c.run_function("churn", a=1), 400, "STD_PREDICTION endpoint: call predict"),
        (lambda c: c.predict_record("score", {"a": 1}), 400, "PY_FUNCTION endpoint: call run"),
        (lambda c: c.sql_query("customer", {}), 400, "call lookup or lookup-multi"),
        (lambda c: c.run_function("score", y=1), 400, "Missing parameter 'x'"),
        (lambda c: c.forecast("sales", [{"store": "A"}]), 400, "items[0] has no 'date'"),
        (lambda c: c.forecast("sales", [{"date": "x", "store": "A"}]), 400, "ISO-8601"),
        (lambda c: c.predict_record("churn", {"a": 1}, explanation_method="X"), 400, "SHAPLEY"),
    ],
)
def test_errors_are_json_and_read_by_the_official_client(
    shop_node: Any, call: Call, status: int, words: str
) -> None:
    with pytest.raises(DataikuException) as raised:
        call(dataikuapi.APINodeClient(shop_node.uri, "shop"))
    assert words in str(raised.value)
    with APINodeClient(shop_node.uri, "shop", retries=0) as client, pytest.raises(APIError) as ours:
        call(client)
    assert getattr(ours.value, "status", None) == status


def test_service_keys_basic_and_bearer(shop_node: Any) -> None:
    url = f"{shop_node.uri}/public/api/v1/locked/plain/predict"
    body = {"features": {"a": 1}}
    missing = requests.post(url, json=body, timeout=10)
    assert missing.status_code == 401 and "requires an API key" in missing.json()["message"]
    wrong = requests.post(url, json=body, auth=("not-it", ""), timeout=10)
    assert wrong.status_code == 401 and "Invalid API key" in wrong.json()["message"]
    assert SERVICE_KEY not in wrong.text
    good = dataikuapi.APINodeClient(shop_node.uri, "locked", SERVICE_KEY)
    assert good.predict_record("plain", {"a": 1})["result"]["ignored"] is False
    bearer = dataikuapi.APINodeClient(shop_node.uri, "locked", bearer_token=SERVICE_KEY)
    assert bearer.run_function("hello")["response"] == {"greeting": "hi"}
    with APINodeClient(shop_node.uri, "locked", api_key=SERVICE_KEY) as ours:
        assert ours.lookup_record("customer", {"email": "bob@x.io"})["data"]["name"] == "Bob"
    with pytest.raises(DataikuException):
        dataikuapi.APINodeClient(shop_node.uri, "locked", "bad").predict_record("plain", {})


def test_service_key_declared_through_the_emulator_routes(shop_node: Any) -> None:
    admin = (shop_node.admin_key, "")
    control = f"{shop_node.uri}/__emulator__/services/shop/api-keys"
    url = f"{shop_node.uri}/public/api/v1/shop/hello/run"
    assert requests.post(control, json={"key": "k2"}, timeout=10).status_code == 401
    try:
        assert requests.post(control, json={"key": "k2"}, auth=admin, timeout=10).ok
        assert requests.get(control, auth=admin, timeout=10).json() == {
            "serviceKeys": 1,
            "packageKeys": 0,
        }
        assert requests.post(url, timeout=10).status_code == 401
        assert requests.post(url, auth=("k2", ""), timeout=10).json()["response"]["greeting"]
    finally:
        cleared = requests.delete(control, auth=admin, timeout=10).json()
    assert cleared == {"ok": True, "cleared": 1}
    assert requests.post(url, timeout=10).status_code == 200


def test_swagger_documents_every_endpoint(shop_node: Any) -> None:
    doc = requests.get(f"{shop_node.uri}/public/api/v1/shop/swagger", timeout=10).json()
    assert doc["swagger"] == "2.0" and doc["basePath"] == "/public/api/v1/shop"
    assert {"/churn/predict", "/sales/forecast", "/score/run", "/customers/query"} <= set(
        doc["paths"]
    )
    assert "/customer/lookup-multi" in doc["paths"]
    locked = requests.get(f"{shop_node.uri}/public/api/v1/locked/swagger", timeout=10)
    assert locked.status_code == 401


@pytest.mark.parametrize(
    ("endpoint", "words"),
    [
        ({"id": "x", "type": "TENSOR"}, "unknown 'type'"),
        ({"id": "x", "type": "DATASETS_LOOKUP", "table": {"columns": ["a"]}}, "'keys'"),
        ({"id": "x", "type": "SQL_QUERY"}, "needs a 'table'"),
        ({"id": "x", "type": "SQL_QUERY", "table": {"columns": ["a"], "rows": [[1, 2]]}}, "rows"),
        ({"id": "x", "classes": ["only"]}, "at least two"),
        ({"id": "x", "type": "STD_FORECAST", "horizon": 0}, "'horizon'"),
        ({"id": "x", "type": "STD_FORECAST", "quantiles": [0.9, 0.1]}, "'quantiles'"),
        (42, "an endpoint is an id or an object"),
    ],
)
def test_bad_declarations_refuse_the_import(
    shop_node: Any, tmp_path: Path, endpoint: Any, words: str
) -> None:
    archive = package(tmp_path, "bad", endpoints=[endpoint])
    session = requests.Session()
    session.auth = (shop_node.admin_key, "")
    base = f"{shop_node.uri}/admin/api/services/shop/generations"
    answer = session.post(f"{base}/actions/importFromArchive", params={"filePath": str(archive)})
    assert answer.status_code == 400 and words in answer.json()["message"], answer.text
    assert "bad" not in [g["generationId"] for g in session.get(base).json()["generations"]]
