"""Packages that export names lazily give the right objects, whatever was imported before."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

LAZY = ["apinode_admin_cli.client", "apinode_admin_cli.config", "apinode_admin_cli.output"]


@pytest.mark.parametrize("name", LAZY)
def test_every_exported_name_is_its_object_not_a_submodule(name: str) -> None:
    package = importlib.import_module(name)
    # Importing every submodule first is what would let one shadow a lazy name.
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{name}.{info.name}")
    for exported in package.__all__:
        value = getattr(package, exported)
        assert not isinstance(value, types.ModuleType), f"{name}.{exported} is a module"
        home = getattr(package, "_HOMES", {}).get(exported)
        if home is not None:
            assert value is getattr(importlib.import_module(f"{name}.{home}"), exported)
