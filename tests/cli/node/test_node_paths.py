"""Paths the node reads on its own disk: absolute for a remote node, checked for a local one."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check


@pytest.fixture
def remote(emulator: Any, run_cli: RunCli) -> RunCli:
    """The emulator seen as another machine's node: 0.0.0.0 reaches it but is not loopback."""
    env = {
        "APINODE_ADMIN_URI": f"http://0.0.0.0:{emulator.port}",
        "APINODE_ADMIN_API_KEY": emulator.admin_key,
    }

    def run(*args: str) -> Any:
        return run_cli(*args, env=env)

    check(run("services", "create", "churn"))
    emulator.clear_received()
    return run


def posts(emulator: Any) -> list[dict[str, Any]]:
    return [r for r in emulator.received if r["method"] == "POST"]


@pytest.mark.parametrize(
    "args",
    [
        ("generations", "import", "churn", "v1.zip"),
        ("generations", "import", "churn", "./pk/v1.zip"),
        ("generations", "import", "churn", "~/pk/v1.zip"),
        ("service-import-generation", "churn", "v1.zip"),
        ("code-envs", "import", "envs/py39", "--language", "python"),
        ("code-envs", "register", "/srv/envs/export", "built", "--language", "python"),
        ("model-cache", "import", "~alice/models/m.zip"),
    ],
)
def test_a_relative_or_tilde_path_for_a_remote_node_exits_2(
    remote: RunCli, emulator: Any, args: tuple[str, ...]
) -> None:
    result = remote(*args)
    check(result, 2)
    assert result.stdout == ""
    assert "must be absolute paths on that node's disk" in result.stderr
    assert posts(emulator) == []


def test_an_absolute_path_for_a_remote_node_is_sent_as_given(remote: RunCli, emulator: Any) -> None:
    result = remote("generations", "import", "churn", "/srv/packages/churn-v2.zip")
    check(result, 1)  # the node has no such file: its 400
    (sent,) = [r for r in posts(emulator) if r["path"].endswith("importFromArchive")]
    assert sent["query"]["filePath"] == "/srv/packages/churn-v2.zip"
    assert "the node reads /srv/packages/churn-v2.zip from its own disk" in result.stderr


def test_a_local_node_expands_tilde_and_checks_the_file(
    node_cli: RunCli, emulator: Any, make_archive: Callable[..., Path], monkeypatch: Any
) -> None:
    archive = make_archive("v1")
    monkeypatch.setenv("HOME", str(archive.parent))
    check(node_cli("services", "create", "churn"))
    emulator.clear_received()
    check(node_cli("generations", "import", "churn", "~/v1.zip"))
    (sent,) = [r for r in posts(emulator) if r["path"].endswith("importFromArchive")]
    assert sent["query"]["filePath"] == str(archive)
    result = node_cli("generations", "import", "churn", "~/v9.zip")
    check(result, 2)
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("path", ["v1.zip", "~/v1.zip", "/srv/packages/v1.zip"])
def test_without_a_uri_the_missing_uri_is_the_error(run_cli: RunCli, path: str) -> None:
    # With no node named, the path cannot be judged local or remote: the URI is what is missing.
    result = run_cli("generations", "import", "churn", path, env={"APINODE_ADMIN_API_KEY": "k"})
    check(result, 3)
    assert "no API node URI" in result.stderr
    assert "another machine" not in result.stderr
    assert "from its own disk" not in result.stderr
