"""Which generation an import created: read from the node's answer, or from its listings.

A node's import answer is not documented; the emulator's carries ``generationId``. When an
answer does not, the generations listed before and after the import tell, unless another
import ran meanwhile. The CLI's ``generations import``, rollouts and ``state apply`` share
these rules: :func:`import_and_identify` and :func:`identify`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Optional


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


@dataclass(frozen=True)
class Imported:
    """What an import did: the node's answer, the generation it created if that can be told,
    and the generations that appeared meanwhile when the answer did not name it."""

    answer: Any
    created: Optional[str]
    new: tuple[str, ...] = ()


def identify(
    service: Any, answer: Any, before: Collection[str], expected: Optional[str] = None
) -> Imported:
    """The generation an import answered with ``answer`` created.

    The answer's ``generationId`` if it has one; else the one generation listed now that was
    not in ``before``; when several appeared (concurrent imports), ``expected`` if among them.
    """
    created = id_in_answer(answer)
    if created is not None:
        return Imported(answer, created)
    new = new_ids(service, set(before))
    if expected is not None and expected in new:
        return Imported(answer, expected, tuple(new))
    return Imported(answer, new[0] if len(new) == 1 else None, tuple(new))


def import_and_identify(service: Any, path: str, expected: Optional[str] = None) -> Imported:
    """Import the archive at ``path`` (on the node's disk) and tell which generation it created.

    The one "import, then identify" of the tool: ``generations import`` and rollouts use it.
    """
    before = listed_ids(service.list_generations())
    return identify(service, service.import_generation_from_archive(path), before, expected)


__all__ = ["Imported", "id_in_answer", "identify", "import_and_identify", "listed_ids", "new_ids"]
