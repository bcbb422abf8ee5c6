"""``generations import``: learn which generation an import created, and activate exactly that one.

A node names the generation after the package's version id, stored in the archive, so the
tool cannot know it from the file name. It takes it from the node's answer when the answer
carries ``generationId``; otherwise it compares the generations listed before and after the
import. Activation switches to that id, never to "the newest": with concurrent imports the
newest may be someone else's.
"""

from __future__ import annotations

import shlex
from typing import Any, Optional

from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.results import Action, Result
from apinode_admin_cli.client.imports import import_and_identify
from apinode_admin_cli.errors import ApinodeAdminError, ConflictError


def conflict_hint(service_id: str) -> str:
    """What can be done when the package's version is already a generation of the service."""
    q = shlex.quote(service_id)
    return (
        "the admin API cannot delete a generation: export the package from DSS under a new "
        "version id and import that archive, or use the generation already there "
        f"(`apinode-admin services switch-to {q} GENERATION`)"
    )


def with_id(answer: Any, generation: Optional[str], **extra: Any) -> dict[str, Any]:
    """The JSON printed for an import: the node's answer plus ``generationId``."""
    shown = dict(answer) if isinstance(answer, dict) else {"ok": True}
    shown["generationId"] = generation
    shown.update(extra)
    return shown


def import_generation(node: Node, service_id: str, archive: str, activate: bool) -> Result:
    """Import ``archive``, say which generation it created, and activate it if asked."""
    path = node.node_path(archive)
    service = node.client.service(service_id)
    try:
        imported = import_and_identify(service, path)
    except ConflictError as exc:
        exc.hint = conflict_hint(service_id)
        raise
    answer, created, candidates = imported.answer, imported.created, imported.new
    q = shlex.quote(service_id)
    if created is None:
        # Zero new ids (someone else's change hid it) or several (concurrent imports).
        seen = ", ".join(candidates) if candidates else "none"
        message = (
            f"imported {path} into {service_id}, but could not tell which generation it "
            f"created (new since the import began: {seen})"
        )
        todo = f"`apinode-admin generations list {q}` shows them all"
        if activate:
            raise ApinodeAdminError(
                message + "; activated none",
                hint=f"activate one with `apinode-admin services switch-to {q} GENERATION`; {todo}",
            )
        node.info(f"Imported {path} into {service_id}; not active yet.")
        node.warn(f"could not tell which generation it created (new: {seen}); {todo}.")
        return Action(with_id(answer, None))
    gen = shlex.quote(created)
    if not activate:
        node.info(
            f"Imported generation {created} into {service_id}; not active yet: the service "
            f"answers no query with it until `apinode-admin services switch-to {q} {gen}` "
            "or a mapping activates it."
        )
        return Action(with_id(answer, created))
    service.switch_to_single_generation(created)
    node.info(f"Imported generation {created} into {service_id}.")
    node.info(f"Service {service_id} now serves generation {created}.")
    return Action(with_id(answer, created, switchedToGeneration=created), created)
