"""A click group whose commands are imported only when one of them is looked up."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Mapping, Optional

import click


class LazyGroup(click.Group):
    """Commands named in ``lazy`` (``name -> ".module:attribute"``) load when first needed.

    The module is relative to the package of the module that defines the group, so a group's
    ``__init__.py`` names its verbs as ``".list:services_list"``: the one way commands attach.

    Running one command then imports its module alone; `--help`, completion and the
    documentation look every one up and so load them all.
    """

    def __init__(self, *args: Any, lazy: Optional[Mapping[str, str]] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        spec = self.lazy.get(cmd_name)
        if spec is not None and cmd_name not in self.commands:
            module, _, attribute = spec.partition(":")
            command = getattr(importlib.import_module(module, self._package()), attribute)
            assert isinstance(command, click.Command)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def _package(self) -> Optional[str]:
        defined_in = getattr(self.callback, "__module__", None)
        module = sys.modules.get(defined_in) if defined_in else None
        return getattr(module, "__package__", None)


__all__ = ["LazyGroup"]
