"""Draining a node: ``apinode-not-alive.txt`` in its data dir takes it out of its load balancer.

Dataiku's HA and health-monitoring guides describe the switch: while the file exists, the
node's ``/isAlive/`` fails and the load balancer stops sending it traffic, and its services keep
answering what is still in flight. This module flips the file and waits until the node agrees.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from apinode_admin_cli.config.datadir import NOT_ALIVE_FILE
from apinode_admin_cli.errors import ApinodeAdminError, ConnectionFailure

# Between probes: a node reads the file on every probe, so agreement is a round trip away.
PROBE_INTERVAL = 0.1


def drain_file(data_dir: Path) -> Path:
    return data_dir / NOT_ALIVE_FILE


def is_drained_on_disk(data_dir: Path) -> bool:
    return drain_file(data_dir).exists()


def mark_drained(data_dir: Path, drained: bool) -> bool:
    """Create (``drained``) or remove the file; True when that changed anything."""
    path = drain_file(data_dir)
    try:
        if not drained:
            path.unlink()
            return True
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileNotFoundError:
        if not data_dir.is_dir():
            raise ApinodeAdminError(f"data dir {data_dir} does not exist")
        return False  # undrained already
    except FileExistsError:
        return False  # drained already: the file's first author keeps its note
    except OSError as exc:
        raise ApinodeAdminError(
            f"cannot {'create' if drained else 'remove'} {path}: {exc.strerror or exc}",
            hint="run the command as the user who owns the node's data dir",
        )
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        handle.write(f"Drained by apinode-admin at {stamp}: /isAlive/ fails while this exists.\n")
        owner = data_dir.stat()
        if hasattr(os, "fchown") and (owner.st_uid, owner.st_gid) != (os.geteuid(), os.getegid()):
            # The node's user must be able to remove it by hand, as the guides say to.
            try:
                os.fchown(handle.fileno(), owner.st_uid, owner.st_gid)
            except OSError:
                pass
    return True


def wait_for_agreement(
    probe: Callable[[], bool],
    want_alive: bool,
    wait: float,
    data_dir: Path,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Probe ``/isAlive/`` until it says ``want_alive``; the seconds it took.

    ConnectionFailure (exit 7) when the node has not agreed within ``wait`` seconds: the file
    stays as it is, since it says what the operator asked for.
    """
    start = clock()
    while True:
        if probe() == want_alive:
            return clock() - start
        left = wait - (clock() - start)
        if left <= 0:
            path = drain_file(data_dir)
            if want_alive:
                what = f"/isAlive/ still fails {wait:g} s after {path} was removed"
            else:
                what = f"/isAlive/ still answers 2xx {wait:g} s after {path} was created"
            raise ConnectionFailure(
                what,
                hint=(
                    "is that data dir the one of the node at this URI? "
                    "compare --data-dir with --uri, or wait longer with --wait SECONDS"
                ),
            )
        sleep(min(PROBE_INTERVAL, left))


__all__ = [
    "PROBE_INTERVAL",
    "drain_file",
    "is_drained_on_disk",
    "mark_drained",
    "wait_for_agreement",
]
