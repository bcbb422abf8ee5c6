"""An import copies its archive without holding the lock every other request takes."""

from __future__ import annotations

import contextlib
import shutil
import threading

import pytest
from support.emulator import assert_error

SERVICES = "/admin/api/services"
IMPORT = SERVICES + "/churn/generations/actions/importFromArchive"


class SlowCopy:
    """Holds the first copy of ``source`` until released: a huge archive, deterministically."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self._held = False
        real = shutil.copyfile

        def copyfile(src, dst, *args, **kwargs):
            if str(src) == source and not self._held:
                self._held = True
                self.started.set()
                self.release.wait(30)
            return real(src, dst, *args, **kwargs)

        monkeypatch.setattr(shutil, "copyfile", copyfile)


@contextlib.contextmanager
def held_import(api, make_archive, monkeypatch):
    """An import of v1 into a new service, held mid-copy while the block runs.

    Yields the archive's path and a dict whose ``"r"`` is the import's answer after the block.
    """
    archive = str(make_archive("v1"))
    slow = SlowCopy(monkeypatch, archive)
    assert api("POST", SERVICES, json={"serviceId": "churn"}).ok
    result = {}
    thread = threading.Thread(
        target=lambda: result.update(r=api("POST", IMPORT, params={"filePath": archive}))
    )
    thread.start()
    try:
        assert slow.started.wait(10)
        yield archive, result
    finally:
        slow.release.set()
        thread.join(10)


def _leftovers(emulator):
    return sorted(
        str(p.relative_to(emulator.data_dir))
        for p in emulator.data_dir.rglob("*")
        if p.is_file() and (p.parent.name == "incoming" or p.name == "archive.zip")
    )


def test_reads_and_writes_go_on_during_a_slow_copy(api, emulator, make_archive, monkeypatch):
    with held_import(api, make_archive, monkeypatch) as (_, result):
        # Each of these waited for the whole copy while it held the state lock.
        listed = api("GET", SERVICES, timeout=5)
        assert listed.json() == [{"serviceId": "churn", "enabled": True}]
        assert api("GET", SERVICES + "/churn/generations", timeout=5).json() == {"generations": []}
        assert api("POST", SERVICES, json={"serviceId": "other"}, timeout=5).ok
    assert result["r"].json() == {"ok": True, "generationId": "v1"}
    assert _leftovers(emulator) == ["services/churn/gens/v1/archive.zip"]


def test_a_conflict_found_after_the_copy_leaves_no_file(api, emulator, make_archive, monkeypatch):
    with held_import(api, make_archive, monkeypatch) as (archive, result):
        assert api("POST", IMPORT, params={"filePath": archive}, timeout=5).ok  # wins the race
    assert_error(result["r"], 409, "v1")
    assert len(_leftovers(emulator)) == 1  # the winner's copy only, nothing in incoming/


def test_a_service_deleted_during_the_copy(api, emulator, make_archive, monkeypatch):
    with held_import(api, make_archive, monkeypatch) as (_, result):
        assert api("DELETE", SERVICES + "/churn", timeout=5).ok
    assert_error(result["r"], 404, "churn")
    assert _leftovers(emulator) == []
