"""A plan as people read it (terraform-style lines) and as programs read it (JSON)."""

from __future__ import annotations

from typing import Any

from apinode_admin_cli.state.model import Change, Plan

NO_CHANGES = "No changes."
_LABELS = {"set-mapping": "mapping"}


def change_line(change: Change) -> str:
    """``+ service fraud``, ``+ churn: import v2 from /srv/...``, ``~ churn: enable``, ..."""
    if change.action == "create":
        return f"+ service {change.service}"
    if change.action == "delete":
        return f"- service {change.service} ({change.detail})"
    label = _LABELS.get(change.action, change.action)
    tail = f" {change.detail}" if change.detail else ""
    return f"{change.sign} {change.service}: {label}{tail}"


def plan_lines(plan: Plan) -> list[str]:
    """One line per change in the order they run; ``No changes.`` when there are none."""
    return [change_line(c) for c in plan.changes] or [NO_CHANGES]


def plan_notes(
    plan: Plan,
    list_all: str = "the JSON plan lists them all",
    prune: str = "a pruning apply deletes them",
) -> list[str]:
    """Lines for stderr about what the plan leaves alone: the unmanaged services, unpruned.

    ``list_all`` and ``prune`` say how to see them all and how to delete them: a caller (the
    CLI) words them with its own commands and flags.
    """
    if not plan.unmanaged or plan.prune:
        return []
    count = len(plan.unmanaged)
    # A node with hundreds of services made this one line of thousands of characters.
    shown = plan.unmanaged[:NOTE_NAMES]
    names = ", ".join(shown)
    if count > len(shown):
        names += f" and {count - len(shown)} more ({list_all})"
    noun = "service" if count == 1 else "services"
    return [f"note: {count} {noun} on the node not in the file, left alone: {names} ({prune})"]


# Unmanaged services named in the note; the JSON plan has them all.
NOTE_NAMES = 5


def plan_json(plan: Plan) -> dict[str, Any]:
    """``{"changes": [{"service", "action", "detail"}, ...], "unmanaged": [ids]}``."""
    return {"changes": [c.to_json() for c in plan.changes], "unmanaged": list(plan.unmanaged)}
