"""The plain data of desired state: what a file asks for, what a node has, what must change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from apinode_admin_cli.mapping import TOLERANCE

# A mapping as ordered (generation, share) pairs: the order of the file, or of the node.
Shares = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ServiceSpec:
    """One ``[services.ID]`` table of a state file, checked."""

    service_id: str
    enabled: bool = True
    # generation id -> archive path on the node's disk; "" means it must already exist.
    generations: tuple[tuple[str, str], ...] = ()
    # The wanted mapping (``active = G`` is ``((G, 1.0),)``); None leaves activation alone.
    mapping: Optional[Shares] = None
    active: Optional[str] = None
    preload: tuple[str, ...] = ()


@dataclass(frozen=True)
class DesiredState:
    """A checked state file: the services it manages, in the file's order."""

    services: tuple[ServiceSpec, ...]
    source: str = "state file"
    # ``[deployments.NAME]`` tables (DeploymentSpec), planned through the API Deployer.
    deployments: tuple[Any, ...] = ()

    def service_ids(self) -> list[str]:
        """The managed service ids, in the file's order."""
        return [s.service_id for s in self.services]


@dataclass(frozen=True)
class GenerationState:
    """One generation as the node reports it."""

    generation_id: str
    mapped: float = 0.0
    mounted: bool = False


@dataclass(frozen=True)
class ServiceState:
    """One service as the node reports it; ``generations`` is None when it was not fetched."""

    service_id: str
    enabled: bool
    generations: Optional[tuple[GenerationState, ...]] = None

    def mapping(self) -> Shares:
        """The shares in force, read from the generations' ``mapped`` (zero shares dropped)."""
        return tuple((g.generation_id, g.mapped) for g in self.generations or () if g.mapped > 0)

    def generation_ids(self) -> list[str]:
        """The generation ids, in the node's order."""
        return [g.generation_id for g in self.generations or ()]


@dataclass(frozen=True)
class NodeState:
    """What a node serves: its services in the node's order."""

    services: tuple[ServiceState, ...] = ()
    # Drift and plans look every service up by id: an index keeps them linear in services.
    _by_id: dict[str, ServiceState] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        index: dict[str, ServiceState] = {}
        for service in self.services:
            index.setdefault(service.service_id, service)  # the first one, as a scan finds
        object.__setattr__(self, "_by_id", index)

    def get(self, service_id: str) -> Optional[ServiceState]:
        """The service with that id, or None."""
        return self._by_id.get(service_id)


SIGNS = {"create": "+", "import": "+", "delete": "-"}


@dataclass(frozen=True)
class Change:
    """One write the plan makes: what the user reads, and what execution needs."""

    service: str
    action: str
    detail: str = ""
    generation: Optional[str] = None
    path: Optional[str] = None
    mapping: Optional[Shares] = None

    @property
    def sign(self) -> str:
        """``+`` adds, ``-`` deletes, ``~`` modifies (terraform's signs)."""
        return SIGNS.get(self.action, "~")

    def to_json(self) -> dict[str, Any]:
        """The contract's ``{"service", "action", "detail"}`` object."""
        return {"service": self.service, "action": self.action, "detail": self.detail}


@dataclass(frozen=True)
class Plan:
    """The changes in the order they run, and the services the file does not manage."""

    changes: tuple[Change, ...] = ()
    unmanaged: tuple[str, ...] = ()
    prune: bool = False

    @property
    def has_changes(self) -> bool:
        """True when applying would send at least one write."""
        return bool(self.changes)


def shares_equal(a: Shares, b: Shares) -> bool:
    """Two mappings route alike: same shares per generation (absent = 0) within 1e-6."""
    left, right = _sum_shares(a), _sum_shares(b)
    return all(abs(left.get(g, 0.0) - right.get(g, 0.0)) <= TOLERANCE for g in {*left, *right})


def _sum_shares(shares: Shares) -> dict[str, float]:
    total: dict[str, float] = {}
    for generation, share in shares:
        total[generation] = total.get(generation, 0.0) + share
    return total


def percent(share: float) -> str:
    """``0.9`` -> ``90%``, ``1/3`` -> ``33.3333%``."""
    return f"{round(share * 100, 4):g}%"


def mapping_body(shares: Iterable[tuple[str, float]]) -> dict[str, Any]:
    """The body of a setMapping request (and of a mapping in JSON output) for ``shares``."""
    return {"entries": [{"generation": g, "proba": s} for g, s in shares]}


def describe_mapping(shares: Shares) -> str:
    """``v1 90% v2 10%``; ``none`` for no mapping (zero shares are not shown)."""
    shown = [f"{g} {percent(s)}" for g, s in shares if s > 0]
    return " ".join(shown) if shown else "none"
