"""Names a package exports from its modules, loaded when first used (PEP 562).

The CLI imports a package for one or two of its names; importing every module of it on each
run would cost start-up time. A package lists where each name lives and gets a module
``__getattr__`` that imports that module when the name is first asked for.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Mapping


def lazy_exports(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that finds ``name`` in ``package.<homes[name]>``.

    No module of the package may bear one of these names: once imported, a submodule is an
    attribute of its package and would hide the name.
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{home}"), name)

    return __getattr__


__all__ = ["lazy_exports"]
