"""Read what a node serves: services, enabled, generations, shares; generations concurrently."""

from __future__ import annotations

import contextvars
import threading
from typing import TYPE_CHECKING, Any, Callable, Collection, Optional, TypeVar

from apinode_admin_cli.client.concurrency import DEFAULT_WORKERS
from apinode_admin_cli.errors import InvalidResponseError
from apinode_admin_cli.state.model import GenerationState, NodeState, ServiceState

if TYPE_CHECKING:
    from apinode_admin_cli.client import APINodeAdminClient

T = TypeVar("T")


def read_node_state(
    client: APINodeAdminClient,
    services: Optional[Collection[str]] = None,
    workers: int = DEFAULT_WORKERS,
) -> NodeState:
    """The node's services; generations fetched for ``services`` only (None: for all of them).

    Services not fetched keep ``generations=None``. Up to ``workers`` requests run at once.
    """
    listed = [_service_row(row) for row in client.list_services()]
    if services is not None and not isinstance(services, (set, frozenset, dict)):
        services = set(services)  # looked up once per listed service
    wanted = [sid for sid, _ in listed if services is None or sid in services]
    fetched = dict(zip(wanted, _fetch_all(client, wanted, workers)))
    return NodeState(
        services=tuple(
            ServiceState(service_id=sid, enabled=enabled, generations=fetched.get(sid))
            for sid, enabled in listed
        )
    )


def _fetch_all(
    client: APINodeAdminClient, service_ids: list[str], workers: int
) -> list[tuple[GenerationState, ...]]:
    return for_each_service(client, service_ids, read_generations, workers)


def for_each_service(
    client: APINodeAdminClient,
    service_ids: list[str],
    fetch: Callable[[APINodeAdminClient, str], T],
    workers: int = DEFAULT_WORKERS,
) -> list[T]:
    """``fetch(client, service_id)`` for each service, up to ``workers`` at once, in order.

    The one concurrent read of a node's services: ``state``, ``services list --wide`` and
    ``services describe`` all go through it. The first failure is raised, in service order,
    once every fetch has ended.
    """
    count = len(service_ids)
    if count <= 1 or workers <= 1:
        return [fetch(client, sid) for sid in service_ids]
    # Each fetch runs in the caller's context (a fleet node's name for its -v log lines);
    # a context can be entered by one thread at a time, so each fetch gets its own copy.
    caller = contextvars.copy_context()
    results: list[Any] = [None] * count
    failures: list[Optional[BaseException]] = [None] * count
    following = iter(range(count))
    taking = threading.Lock()
    stop = threading.Event()

    def work() -> None:
        # Threads take the next service as they come free: no future nor queue per service,
        # which in a fleet's thousands of reads cost about a tenth of each.
        while not stop.is_set():
            with taking:
                index = next(following, None)
            if index is None:
                return
            try:
                results[index] = caller.copy().run(fetch, client, service_ids[index])
            except BaseException as exc:  # raised below, in service order
                failures[index] = exc

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(workers, count))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    except BaseException:
        stop.set()  # Ctrl-C: no service is started from now on; those under way end first
        for thread in threads:
            if thread.ident is not None:  # Ctrl-C may come while they are being started
                thread.join()
        raise
    first = next((exc for exc in failures if exc is not None), None)
    if first is not None:
        raise first
    return results


def read_generations(client: APINodeAdminClient, service_id: str) -> tuple[GenerationState, ...]:
    """One service's generations as the node reports them."""
    rows = client.service(service_id).list_generations()
    return tuple(_generation_row(row, service_id) for row in rows)


def _service_row(row: Any) -> tuple[str, bool]:
    if not isinstance(row, dict) or not isinstance(row.get("serviceId"), str):
        raise InvalidResponseError(f"the node listed a service without a serviceId: {row!r:.200}")
    return _text_id(row["serviceId"], "a service"), bool(row.get("enabled", True))


def _text_id(value: str, what: str) -> str:
    """The id, unless it holds a lone surrogate: no URL, TOML file or terminal can carry it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = value.encode("utf-8", "backslashreplace").decode("ascii")
        raise InvalidResponseError(
            f"the node listed {what} whose id '{shown}' is not Unicode text (a lone surrogate)",
            hint="such an id cannot be read back nor written to a state file; rename or delete "
            "it on the node",
        ) from None
    return value


def _generation_row(row: Any, service_id: str) -> GenerationState:
    if not isinstance(row, dict) or not isinstance(row.get("generationId"), str):
        raise InvalidResponseError(
            f"the node listed a generation of {service_id!r} without a generationId: {row!r:.200}"
        )
    mapped = row.get("mapped")
    share = (
        float(mapped) if isinstance(mapped, (int, float)) and not isinstance(mapped, bool) else 0
    )
    generation_id = _text_id(row["generationId"], f"a generation of {service_id!r}")
    return GenerationState(
        generation_id=generation_id, mapped=share, mounted=bool(row.get("mounted"))
    )
