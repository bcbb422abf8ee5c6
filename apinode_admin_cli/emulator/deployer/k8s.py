"""An emulated Kubernetes infrastructure: API node emulators as pods, behind one balancing URL."""

from __future__ import annotations

import http.client
import itertools
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Callable, Optional

from apinode_admin_cli.emulator.app import EmulatorHandle, start_emulator
from apinode_admin_cli.emulator.deployer.nodes import CHECK_TIMEOUT_S, Node
from apinode_admin_cli.emulator.server import QuietServer

PORT_FILE = "public-port"
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


class Balancer(QuietServer):
    """The deployment's ``publicURL``: each request goes to the next replica that answers."""

    def __init__(self, port: int, replicas: Callable[[], list[EmulatorHandle]]) -> None:
        self.replicas = replicas
        self.turn = itertools.count()
        super().__init__(("127.0.0.1", port), _BalancerHandler)
        self.uri = f"http://127.0.0.1:{self.server_address[1]}"
        self.own_loop = True
        self.thread = threading.Thread(target=self.serve_until_stopped, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving and release the port."""
        self.end_loop()
        self.server_close()


class _BalancerHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Balancer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        replicas = self.server.replicas()
        start = next(self.server.turn)
        for step in range(len(replicas)):
            position = (start + step) % len(replicas)
            replica = replicas[position]
            try:
                connection = http.client.HTTPConnection(
                    "127.0.0.1", replica.port, timeout=CHECK_TIMEOUT_S * 10
                )
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                connection.close()
            except OSError:
                continue  # a pod that is gone: the next one takes the request
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Emulator-Replica", str(position))
            self.end_headers()
            self.wfile.write(data)
            return
        data = json.dumps({"errorType": "NoReplica", "message": "No replica is serving"}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward


class Cluster:
    """The pods and balancers of every K8S deployment, kept under ``DATA_DIR/k8s``."""

    def __init__(self, folder_of: Callable[[str], Path]) -> None:
        self._folder_of = folder_of
        self._lock = threading.RLock()
        self._replicas: dict[str, list[EmulatorHandle]] = {}
        self._balancers: dict[str, Balancer] = {}

    def ensure(self, did: str, count: int) -> list[Node]:
        """Run exactly ``count`` replicas of the deployment (and its balancer); their nodes."""
        with self._lock:
            replicas = self._replicas.setdefault(did, [])
            folder = self._folder_of(did)
            while len(replicas) < count:
                data_dir = folder / f"replica-{len(replicas)}"
                replicas.append(start_emulator(data_dir=data_dir))
            while len(replicas) > count:
                extra = replicas.pop()
                extra.stop()
                shutil.rmtree(extra.data_dir, ignore_errors=True)
            self._balance(did, folder)
            return [Node(r.uri, r.admin_key) for r in replicas]

    def _balance(self, did: str, folder: Path) -> None:
        if did in self._balancers:
            return
        port_file = folder / PORT_FILE
        port = 0
        if port_file.exists():
            try:
                port = int(port_file.read_text().strip())
            except ValueError:
                port = 0
        try:
            balancer = Balancer(port, lambda: list(self._replicas.get(did, [])))
        except OSError:  # the old port is taken: the URL changes, as a new load balancer's would
            balancer = Balancer(0, lambda: list(self._replicas.get(did, [])))
        port_file.write_text(str(balancer.server_address[1]))
        self._balancers[did] = balancer

    def resume(self, did: str) -> None:
        """After a restart, start again the replicas found on disk (their state is kept)."""
        folder = self._folder_of(did)
        count = len(list(folder.glob("replica-*"))) if folder.exists() else 0
        if count:
            self.ensure(did, count)

    def nodes(self, did: str) -> list[Node]:
        """The running replicas of a deployment, as nodes to check."""
        with self._lock:
            return [Node(r.uri, r.admin_key, CHECK_TIMEOUT_S) for r in self._replicas.get(did, [])]

    def replicas(self, did: str) -> list[EmulatorHandle]:
        """The replicas' handles (tests stop one to play a pod failure)."""
        with self._lock:
            return list(self._replicas.get(did, []))

    def public_url(self, did: str) -> Optional[str]:
        """The balancing URL of a deployment, None before its first update."""
        with self._lock:
            balancer = self._balancers.get(did)
            return balancer.uri if balancer is not None else None

    def stop(self, did: str, forget: bool = False) -> None:
        """Stop a deployment's pods and balancer; ``forget`` also removes their data."""
        with self._lock:
            replicas = self._replicas.pop(did, [])
            balancer = self._balancers.pop(did, None)
        for replica in replicas:
            replica.stop()
        if balancer is not None:
            balancer.close()
        if forget:
            shutil.rmtree(self._folder_of(did), ignore_errors=True)

    def stop_all(self) -> None:
        """Stop every pod and balancer (the deployer is stopping); their data stays."""
        with self._lock:
            dids = set(self._replicas) | set(self._balancers)
        for did in dids:
            self.stop(did)
