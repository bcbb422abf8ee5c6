"""A rollout's rollback: each touched node back to its stable mapping, or named as left."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from apinode_admin_cli.errors import APIError, ApinodeAdminError, NotFoundError
from apinode_admin_cli.rollout.report import RestoreFailed
from apinode_admin_cli.rollout.signals import deferred_interrupts
from apinode_admin_cli.rollout.steps import describe_mapping, mapping_body

if TYPE_CHECKING:
    from apinode_admin_cli.rollout.checks import NodeRun
    from apinode_admin_cli.rollout.listener import Listener
    from apinode_admin_cli.rollout.report import RolloutReport

# A restore is idempotent: worth a second attempt before a node is declared left behind.
RESTORE_ATTEMPTS = 2


def roll_back(
    touched: Sequence[NodeRun],
    runs: Sequence[NodeRun],
    service: str,
    report: RolloutReport,
    listener: Listener,
    reason: str,
) -> None:
    """Restore every touched node; RestoreFailed naming each node left behind, and how."""
    report.reason = reason
    listener.rolling_back(reason)
    with deferred_interrupts():
        for run in touched:
            error, maybe_restored = _restore(run, service)
            if error is None:
                listener.restored(run.label, run.stable)
                continue
            if isinstance(error, NotFoundError):
                report.gone.append(run.label)
                left = f"no longer serving {service}: the service is gone"
                report.not_restored[run.label] = f"{left} ({_text(error)})"
                listener.restore_failed(run.label, left, _text(error))
                continue
            possible = [run.stable] if maybe_restored else []
            possible += [s for s in (run.pending, run.applied or run.stable) if s is not None]
            texts = list(dict.fromkeys(describe_mapping(s) for s in possible))
            left = texts[0] if len(texts) == 1 else "either " + " or ".join(texts)
            report.not_restored[run.label] = (
                f"left with {left} (restoring {describe_mapping(run.stable)} failed: "
                f"{_text(error)})"
            )
            listener.restore_failed(run.label, left, _text(error))
    report.rolled_back_to = {r.label: r.stable for r in runs if r.label not in report.not_restored}
    if report.not_restored:
        lines = "; ".join(
            f"{label or 'the node'} is {text}" for label, text in report.not_restored.items()
        )
        raise RestoreFailed(f"{reason}, and the rollback failed: {lines}", report)


def _restore(run: NodeRun, service: str) -> tuple[Optional[BaseException], bool]:
    """(None, _) once the node serves its stable mapping again, else the last error.

    The flag is true when an attempt may have reached the node without an answer: the node
    may have applied it. A 404 ends the attempts: the service is gone.
    """
    error: Optional[BaseException] = None
    unanswered = False
    for _ in range(RESTORE_ATTEMPTS):
        try:
            run.node.client.service(service).set_generations_mapping(mapping_body(run.stable))
        except Exception as exc:  # whatever it was, the next node must still be restored
            error = exc
            unanswered = unanswered or may_have_applied(exc)
            if isinstance(exc, NotFoundError):
                break
            continue
        run.applied, run.pending = run.stable, None
        return None, False
    return error or RuntimeError("not attempted"), unanswered


def may_have_applied(exc: BaseException) -> bool:
    """Whether a write that failed with ``exc`` may have changed the node all the same."""
    flag = getattr(exc, "may_have_applied", None)
    if flag is not None:
        return bool(flag)
    # A definite error answer means the node refused it; anything else may have landed.
    return not isinstance(exc, APIError)


def _text(error: BaseException) -> str:
    return error.message if isinstance(error, ApinodeAdminError) else repr(error)


__all__ = ["RESTORE_ATTEMPTS", "may_have_applied", "roll_back"]
