"""Which generation an import created: read from the node's answer, or from its listings.

A node's import answer is not documented; the emulator's carries ``generationId``. When an
answer does not, the generations listed before and after the import tell, unless another
import ran meanwhile. The CLI's ``generations import`` and rollouts share these rules.
"""

from __future__ import annotations

from typing import Any, Optional


def listed_ids(generations: Any) -> list[str]:
    """The generation ids of a ``list_generations`` answer, in the node's order."""
    return [
        str(g["generationId"])
        for g in generations or []
        if isinstance(g, dict) and g.get("generationId") is not None
    ]


def id_in_answer(answer: Any) -> Optional[str]:
    """The ``generationId`` the node's import answer carries, if any."""
    value = answer.get("generationId") if isinstance(answer, dict) else None
    return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def new_ids(service: Any, before: set[str]) -> list[str]:
    """The generations of ``service`` (an ``APINodeService``) that were not in ``before``."""
    return [g for g in listed_ids(service.list_generations()) if g not in before]


__all__ = ["id_in_answer", "listed_ids", "new_ids"]
