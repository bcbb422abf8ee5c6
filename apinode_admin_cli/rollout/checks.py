"""Before the first write: read each node's service and stable mapping; import the archive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Protocol, Sequence

from apinode_admin_cli.errors import ApinodeAdminError, ConflictError, NotFoundError, UsageError
from apinode_admin_cli.state.current import read_node_state

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient, APINodeClient
    from apinode_admin_cli.rollout.plan import RolloutPlan
    from apinode_admin_cli.rollout.steps import Shares


class RolloutNode(Protocol):
    """A node as the rollout needs it (the CLI's ``Node`` and ``FleetNode`` fit)."""

    @property
    def name(self) -> Optional[str]: ...

    @property
    def client(self) -> APINodeAdminClient: ...

    def user_client(self, service_id: str, service_key: Optional[str]) -> APINodeClient: ...


class NodeRun:
    """One node during a rollout: what it served before, and what it was last sent."""

    def __init__(self, node: RolloutNode) -> None:
        self.node = node
        self.label: str = node.name or ""
        self.stable: Shares = ()
        self.generations: list[str] = []
        self.needs_import = False
        # Set from the first mapping request sent to it: it must be restored.
        self.touched = False
        # The last mapping it acknowledged, and one sent without an answer (yet).
        self.applied: Optional[Shares] = None
        self.pending: Optional[Shares] = None

    def on(self) -> str:
        """``"prod-2: "`` on a fleet, nothing for a single node: a prefix for messages."""
        return f"{self.label}: " if self.label else ""

    def named(self, exc: ApinodeAdminError) -> ApinodeAdminError:
        """The error with the node's name in front of its message (on a fleet)."""
        if self.label and not exc.message.startswith(self.on()):
            exc.message = self.on() + exc.message
            exc.args = (exc.message,)
        return exc


def check_nodes(runs: Sequence[NodeRun], plan: RolloutPlan) -> None:
    """Read every node; stop (exit 2 or 5) before anything is sent if one cannot take part."""
    service_id, generation = plan.service, plan.generation
    for run in runs:
        where = f" on {run.label}" if run.label else ""
        try:
            state = read_node_state(run.node.client, [service_id], workers=1)
        except ApinodeAdminError as exc:
            raise run.named(exc) from None
        service = state.get(service_id)
        if service is None:
            raise NotFoundError(
                f"service {service_id!r} not found{where}",
                status=404,
                hint="a rollout moves traffic within an existing service: "
                f"apinode-admin services create {service_id}, then import a first generation",
            )
        if not service.enabled:
            raise UsageError(
                f"service {service_id!r} is disabled{where}: a rollout shifts live traffic",
                hint=f"enable it first (apinode-admin services enable {service_id}), "
                "or switch it directly with services switch-to",
            )
        run.stable = service.mapping()
        if not run.stable:
            raise UsageError(
                f"service {service_id!r} serves no generation{where}: there is no stable "
                "mapping to roll back to",
                hint=f"activate one first: apinode-admin services switch-to {service_id} GEN",
            )
        run.generations = service.generation_ids()
        run.needs_import = generation not in run.generations
        if run.needs_import and plan.archive is None:
            raise NotFoundError(
                f"generation {generation!r} not found in service {service_id!r}{where}",
                status=404,
                hint="import it first, or give the rollout the archive of that generation",
            )


def import_archive(run: NodeRun, plan: RolloutPlan) -> None:
    """Import ``plan.archive`` on the node; exit 2 unless it created ``plan.generation``."""
    assert plan.archive is not None
    service = run.node.client.service(plan.service)
    try:
        answer = service.import_generation_from_archive(plan.archive)
        created = created_generation(service, answer, run.generations, plan.generation)
    except ConflictError as exc:
        # The generation is missing here, so the one the archive holds is another.
        raise UsageError(
            f"{run.on()}{plan.archive} holds a generation the service already has, not "
            f"{plan.generation!r} (the node said: {exc.message}): the rollout stopped before "
            "any traffic moved",
            hint="give the archive of the generation being rolled out",
        ) from None
    except ApinodeAdminError as exc:
        raise run.named(exc) from None
    if created != plan.generation:
        got = f"generation {created!r}" if created else "no new generation the node reports"
        raise UsageError(
            f"{run.on()}{plan.archive} created {got}, not {plan.generation!r}: the rollout "
            "stopped before any traffic moved",
            hint="give the archive of the generation being rolled out (the id comes from the "
            "package); the generation it created stays on the node until "
            "`services clean-unused`",
        )


def created_generation(
    service: Any, answer: Any, before: Sequence[str], expected: str
) -> Optional[str]:
    """The id an import created: the answer's ``generationId``, else the list's new entry.

    The same rules as ``generations import``; when several generations appeared meanwhile
    (concurrent imports), ``expected`` among them is the one.
    """
    from apinode_admin_cli.client.imports import identify

    return identify(service, answer, before, expected).created


__all__ = ["NodeRun", "RolloutNode", "check_nodes", "created_generation", "import_archive"]
