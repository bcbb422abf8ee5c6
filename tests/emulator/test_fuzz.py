"""Property: whatever the path, method, query and body, bad input never gets a 5xx."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apinode_admin_cli.emulator import start_emulator

WORDS = [
    "admin", "api", "services", "service", "generations", "actions", "importFromArchive",
    "preload", "enable", "disable", "setMapping", "switchToNewest", "switchTo", "keys", "key",
    "metrics", "cached-code-envs", "register-global-code-env", "model-cache",
    "services-clean-unused", "public", "v1", "predict", "predict-multi", "isAlive",
    "__emulator__", "faults", "requests", "s", "g", "", "..", "%2F", "%FF", "%00", "é", " ",
]  # fmt: skip

segment = st.one_of(st.sampled_from(WORDS), st.text(max_size=8).map(lambda t: quote(t, safe="")))
json_value = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
body = st.one_of(
    st.binary(max_size=40),
    json_value.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {
            "serviceId": json_value,
            "entries": json_value,
            "features": json_value,
            "expiry": json_value,
            "dispatch": json_value,
            "items": json_value,
        }  # fmt: skip
    ).map(lambda v: json.dumps(v).encode()),
)
query = st.dictionaries(
    st.sampled_from(["filePath", "fileDir", "language", "modelArchivePath", "builtEnvDir"]),
    st.text(max_size=12),
    max_size=3,
)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    with start_emulator(data_dir=tmp_path_factory.mktemp("fuzz"), admin_key="k") as handle:
        session = requests.Session()
        session.auth = ("k", "")
        url = handle.uri + "/admin/api/services"
        session.post(url, json={"serviceId": "s"})
        yield handle, session


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.sampled_from(["/admin/api/", "/public/api/v1/", "/", "/admin/api/services/s/"]),
    segments=st.lists(segment, max_size=5),
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
    params=query,
    data=body,
)
def test_never_a_server_error(node, prefix, segments, method, params, data):
    handle, session = node
    handle.clear_faults()
    url = handle.uri + prefix + "/".join(segments)
    response = session.request(method, url, params=params, data=data, timeout=10)
    assert response.status_code < 500, (method, url, params, data, response.text)
    if response.status_code >= 400:
        assert response.json()["message"]
