"""The per-node concurrency limits of the tool, declared once with the reason for each.

Every module that runs requests to one node at once takes its limit from here; a fleet runs
these per node, and ``fleet/runner.requests_per_node`` lowers them when the open-file limit
cannot give every node of a fleet that many sockets at the same time.
"""

from __future__ import annotations

# Connections a client keeps open to its node (its HTTP pool). Callers read a node's services
# concurrently (drift, state, fleet status): below this, every reader reuses a kept
# connection. requests does not block past the pool: a caller running more requests at once
# opens extra connections, closed after their request.
CONNECTIONS_PER_NODE = 32

# Reads of one node a command runs at once by default (its services, their generations).
# Well under CONNECTIONS_PER_NODE, because a command that reads several nodes at once (a
# fleet) multiplies it, and it is also how many services `state apply` changes at once on a
# node by default: imports load models, so a node is not flooded.
DEFAULT_WORKERS = 8

# Generations requests in flight per node for `fleet status`, which reads nothing else and
# waits on the slowest node: over CONNECTIONS_PER_NODE, the extra ones each open a short-lived
# connection, which measured faster on a node with hundreds of services than waiting for a
# kept one (fewer when the open-file limit says so).
READERS_PER_NODE = 64

__all__ = ["CONNECTIONS_PER_NODE", "DEFAULT_WORKERS", "READERS_PER_NODE"]
