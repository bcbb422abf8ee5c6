"""Which fleet node a thread works for, so that its -v log lines name it."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

current_node: ContextVar[str] = ContextVar("current_node", default="")


def name_the_node(record: Any) -> bool:
    """A logging filter: ``record.node`` is ``"prod-2: "`` in a fleet node's thread, else ``""``."""
    name = current_node.get()
    record.node = f"{name}: " if name else ""
    return True


__all__ = ["current_node", "name_the_node"]
