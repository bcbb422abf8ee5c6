"""The ``apinode_emulator`` fixture of the shipped pytest plugin, next to this suite's own."""

from __future__ import annotations

import subprocess
import sys

import requests


def test_it_sits_beside_the_suites_own_fixture(apinode_emulator, emulator):
    assert apinode_emulator.uri != emulator.uri
    assert apinode_emulator.data_dir != emulator.data_dir
    auth = (apinode_emulator.admin_key, "")
    url = apinode_emulator.uri + "/admin/api/services"
    assert requests.post(url, json={"serviceId": "mine"}, auth=auth, timeout=10).ok
    assert [r["decoded_path"] for r in apinode_emulator.received] == ["/admin/api/services"]
    assert emulator.received == []


def test_loading_the_plugin_starts_and_imports_no_emulator():
    code = (
        "import sys, apinode_admin_cli.pytest_plugin;"
        "assert 'apinode_admin_cli.emulator' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_it_is_registered_as_a_pytest11_entry_point():
    from importlib.metadata import entry_points

    every = entry_points()
    group = every.select(group="pytest11") if hasattr(every, "select") else every["pytest11"]
    # Python 3.9's importlib.metadata may see an editable install twice: the values count.
    found = {e.value for e in group if e.name == "apinode_emulator"}
    assert found == {"apinode_admin_cli.pytest_plugin"}
