"""A container entrypoint that imports only what the data dir lacks imports once across restarts."""

from __future__ import annotations

import os
import subprocess
import sys

import requests

from apinode_admin_cli.emulator import start_emulator

# As found in the wild: the node's own files give the port, a generation's folder says whether
# the package was imported already, and `set -e` turns any failure into a crash loop.
ENTRYPOINT = """\
set -e
. "$DATA_DIR/bin/env-default.sh"
export APINODE_ADMIN_URI="http://127.0.0.1:$DKU_APIMAIN_PORT"
if [ ! -d "$DATA_DIR/services/churn/gens/v1" ]; then
  apinode-admin services create churn
  apinode-admin generations import churn "$ARCHIVE" --activate
  echo "imported churn v1"
fi
echo ready
"""


def run_entrypoint(data, archive):
    bin_dir = os.path.dirname(sys.executable)
    env = dict(os.environ, DATA_DIR=str(data), ARCHIVE=str(archive), APINODE_ADMIN_API_KEY="k",
               PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))  # fmt: skip
    return subprocess.run(["sh", "-c", ENTRYPOINT], env=env, capture_output=True, text=True,
                          timeout=60)  # fmt: skip


def test_two_container_starts_import_once(tmp_path, make_archive):
    data, archive = tmp_path / "node", make_archive("v1")
    outputs = []
    for _ in range(2):  # a container start, then a restart on the same volume
        with start_emulator(data_dir=data, admin_key="k") as node:
            started = run_entrypoint(data, archive)
            assert started.returncode == 0, started.stderr
            outputs.append(started.stdout)
            answer = requests.post(node.uri + "/public/api/v1/churn/score/predict",
                                   json={"features": {}}, timeout=10)  # fmt: skip
            assert answer.json()["generation"] == "v1"
    assert outputs[0].endswith("imported churn v1\nready\n") and outputs[1] == "ready\n"
