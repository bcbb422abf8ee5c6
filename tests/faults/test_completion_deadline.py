"""Live completion keeps its promise (2 s) whatever the node does, then offers nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.cli import clean_env, complete
from support.fault_server import Responder, TinyServer, drip_body, drip_headers

from apinode_admin_cli.cli.common.completers import COMPLETION_TIMEOUT

# Process start-up and the shell round trip, on a busy machine.
START_UP = 2.5


@pytest.mark.parametrize(
    "responder",
    [drip_headers(every=0.1, limit=30), drip_body(b"[" + b" " * 300 + b"]", every=0.1)],
    ids=["headers-a-byte-at-a-time", "body-a-byte-at-a-time"],
)
def test_a_dripping_node_cannot_hold_the_prompt(tmp_path: Path, responder: Responder) -> None:
    with TinyServer(responder) as server:
        env = clean_env(tmp_path, APINODE_ADMIN_URI=server.uri, APINODE_ADMIN_API_KEY="k")
        started = time.monotonic()
        proc = complete("apinode-admin services delete ", env=env)
        elapsed = time.monotonic() - started
        assert server.requests, "the completion never asked the node"
    assert (proc.returncode, proc.stdout.strip(), proc.stderr) == (0, "", "")  # no candidates
    assert elapsed < COMPLETION_TIMEOUT + START_UP
