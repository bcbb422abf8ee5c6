"""Fixtures of the desired-state tests: a client on the test's emulator, archives, the journal."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest

from apinode_admin_cli.client import APINodeAdminClient
from apinode_admin_cli.emulator import EmulatorHandle


@pytest.fixture
def client(emulator: EmulatorHandle) -> Iterator[APINodeAdminClient]:
    """An admin client on the test's emulator, without retries (faults must fail at once)."""
    with APINodeAdminClient(emulator.uri, emulator.admin_key, retries=1) as admin:
        yield admin


@pytest.fixture
def archive(make_archive: Callable[..., Path]) -> Callable[[str], str]:
    """``archive("v2")``: the absolute path of an archive whose generation id is ``v2``."""

    def make(generation: str) -> str:
        return str(make_archive(generation).resolve())

    return make
