"""Score a stream of rows in chunks, several chunks in flight, answers in input order.

Memory stays flat whatever the number of rows: at most ``2 × parallel`` chunks are read ahead of
the one being written. A chunk the node refuses (an HTTP error, a lost connection) marks its rows
failed with the reason and the others go on; a refused key or a usage error stops everything.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, Callable, Iterable, Iterator, Optional

from apinode_admin_cli.errors import ApinodeAdminError, AuthenticationError, UsageError
from apinode_admin_cli.scoring.reader import Row

DEFAULT_CHUNK = 500
DEFAULT_PARALLEL = 4
MAX_CHUNK = 100_000
MAX_PARALLEL = 64
Send = Callable[[Any, list[dict[str, Any]]], Any]


class Scored:
    """One row's outcome: the row, the node's result for it (or None), and why it failed."""

    __slots__ = ("answer", "error", "result", "row")

    def __init__(
        self, row: Row, result: Optional[dict[str, Any]], error: Optional[str], answer: Any
    ) -> None:
        self.row = row
        self.result = result
        self.error = error
        self.answer = answer  # the whole answer of the row's chunk (apiContext, generation)

    @property
    def failed(self) -> bool:
        """The node answered no usable result for the row, or ignored it."""
        return self.error is not None


class Scorer:
    """Runs ``send(client, records)`` on chunks with one client per worker thread."""

    def __init__(
        self,
        make_client: Callable[[], Any],
        send: Send,
        chunk_size: int = DEFAULT_CHUNK,
        parallel: int = DEFAULT_PARALLEL,
    ) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK:
            raise UsageError(f"the chunk size must be from 1 to {MAX_CHUNK}")
        if not 1 <= parallel <= MAX_PARALLEL:
            raise UsageError(f"the number of chunks in flight must be from 1 to {MAX_PARALLEL}")
        self._make_client = make_client
        self._send = send
        self.chunk_size = chunk_size
        self.parallel = parallel
        self._local = threading.local()
        self._clients: list[Any] = []
        self._lock = threading.Lock()

    def _client(self) -> Any:
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._make_client()
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def _call(self, records: list[dict[str, Any]]) -> Any:
        return self._send(self._client(), records)

    def close(self) -> None:
        """Close the clients the workers opened."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def score(self, rows: Iterable[Row]) -> Iterator[Scored]:
        """Each row's outcome, in input order, as soon as its chunk and those before are done."""
        source = iter(rows)
        pending: deque[tuple[list[Row], Future[Any]]] = deque()
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="apinode-batch") as pool:
            try:
                while True:
                    while len(pending) < 2 * self.parallel:
                        chunk = list(islice(source, self.chunk_size))
                        if not chunk:
                            break
                        pending.append((chunk, pool.submit(self._call, [r.record for r in chunk])))
                    if not pending:
                        return
                    chunk, future = pending.popleft()
                    yield from _outcomes(chunk, future)
            finally:
                for _, future in pending:
                    future.cancel()
                self.close()


def _outcomes(chunk: list[Row], future: Future[Any]) -> Iterator[Scored]:
    try:
        answer = future.result()
    except (AuthenticationError, UsageError):
        raise  # every other chunk would be refused the same way
    except ApinodeAdminError as exc:
        for row in chunk:
            yield Scored(row, None, exc.message, None)
        return
    results = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(results, list) or len(results) != len(chunk):
        count = len(results) if isinstance(results, list) else "no"
        reason = f"the node answered {count} results for {len(chunk)} rows"
        for row in chunk:
            yield Scored(row, None, reason, answer)
        return
    for row, result in zip(chunk, results):
        if not isinstance(result, dict):
            yield Scored(row, None, "the node's result is not an object", answer)
        elif result.get("ignored") is True:
            why = result.get("ignoreReason")
            yield Scored(row, result, str(why) if why else "ignored by the node", answer)
        else:
            yield Scored(row, result, None, answer)
