"""Reports shared by several commands, so that the same outcome always reads the same."""

from __future__ import annotations

from typing import Any

from apinode_admin_cli.cli.common.node import Node
from apinode_admin_cli.cli.common.results import Action


def deleted(node: Node, what: str, answer: Any) -> Action:
    """Say that ``what`` was deleted, and when so, that the first answer was lost on the way."""
    node.info(f"Deleted {what}.")
    if getattr(answer, "answer_lost", False):
        node.info(f"Note: {answer.note}.")
    return Action(answer)


def switched_to_newest(node: Node, service_id: str, answer: Any) -> Action:
    """Say which generation now serves; its id (or the node's JSON) is the result."""
    generation = answer.get("switchedToGeneration") if isinstance(answer, dict) else None
    node.info(f"Service {service_id} now serves generation {generation}.")
    return Action(answer, str(generation) if generation is not None else None)
