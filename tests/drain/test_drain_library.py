"""The drain switch in the data dir, and a node's /isAlive/ agreeing with it (library level)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.drain import (
    drain_file,
    is_drained_on_disk,
    mark_drained,
    wait_for_agreement,
)
from apinode_admin_cli.emulator import EmulatorHandle
from apinode_admin_cli.errors import ApinodeAdminError, ConnectionFailure


@pytest.fixture
def client(module_emulator: EmulatorHandle) -> Iterator[APINodeAdminClient]:
    mark_drained(module_emulator.data_dir, False)
    with APINodeAdminClient(module_emulator.uri, module_emulator.admin_key, retries=1) as admin:
        yield admin
    mark_drained(module_emulator.data_dir, False)


def test_marking_creates_and_removes_the_file_once(tmp_path: Path) -> None:
    assert mark_drained(tmp_path, True) is True
    assert drain_file(tmp_path).name == "apinode-not-alive.txt"
    assert is_drained_on_disk(tmp_path)
    note = drain_file(tmp_path).read_text(encoding="utf-8")
    assert note.startswith("Drained by apinode-admin at ")
    assert mark_drained(tmp_path, True) is False
    assert drain_file(tmp_path).read_text(encoding="utf-8") == note
    assert mark_drained(tmp_path, False) is True
    assert not is_drained_on_disk(tmp_path)
    assert mark_drained(tmp_path, False) is False


def test_a_missing_data_dir_is_an_error(tmp_path: Path) -> None:
    for drained in (True, False):
        with pytest.raises(ApinodeAdminError, match="does not exist"):
            mark_drained(tmp_path / "nowhere", drained)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_the_file_belongs_to_the_data_dirs_owner(tmp_path: Path) -> None:
    os.chown(tmp_path, 4242, 4243)
    mark_drained(tmp_path, True)
    info = drain_file(tmp_path).stat()
    assert (info.st_uid, info.st_gid) == (4242, 4243)


def test_the_node_agrees_with_the_file(
    module_emulator: EmulatorHandle, client: APINodeAdminClient
) -> None:
    assert client.is_alive()
    mark_drained(module_emulator.data_dir, True)
    assert wait_for_agreement(client.is_alive, False, 5, module_emulator.data_dir) < 5
    ping = client.ping()
    assert (ping.alive, ping.authenticated, ping.drained) == (False, True, True)
    assert client.list_services() == []  # a drained node keeps answering
    mark_drained(module_emulator.data_dir, False)
    assert wait_for_agreement(client.is_alive, True, 5, module_emulator.data_dir) < 5
    assert client.ping().drained is False


def test_a_node_that_does_not_agree_is_exit_7(
    module_emulator: EmulatorHandle, client: APINodeAdminClient, tmp_path: Path
) -> None:
    mark_drained(tmp_path, True)  # some other data dir: this node never sees it
    with pytest.raises(ConnectionFailure) as caught:
        wait_for_agreement(client.is_alive, False, 0.3, tmp_path)
    assert caught.value.exit_code == 7
    assert caught.value.message == (
        f"/isAlive/ still answers 2xx 0.3 s after {drain_file(tmp_path)} was created"
    )
    assert is_drained_on_disk(tmp_path)  # what the operator asked for stays


def test_the_wait_is_bounded_by_the_clock() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with pytest.raises(ConnectionFailure, match="still fails 1 s after"):
        wait_for_agreement(lambda: False, True, 1, Path("/d"), clock=lambda: now[0], sleep=sleep)
    assert 9 <= len(slept) <= 11 and now[0] == pytest.approx(1.0)
