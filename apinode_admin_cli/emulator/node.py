"""The emulated node behind one server: state, counters, faults, journal and authentication."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import threading
from pathlib import Path
from typing import IO, Any, Optional

import apinode_admin_cli.emulator.admin_caches as admin_caches
import apinode_admin_cli.emulator.admin_keys as admin_keys
import apinode_admin_cli.emulator.admin_services as admin_services
import apinode_admin_cli.emulator.faults as faults
import apinode_admin_cli.emulator.metrics as metrics
import apinode_admin_cli.emulator.service_keys as service_keys
import apinode_admin_cli.emulator.user_api as user_api
from apinode_admin_cli.emulator.datadir import (
    DEFAULT_DSS_VERSION,
    HASHED_KEYS_SINCE,
    parse_dss_version,
)
from apinode_admin_cli.emulator.errors import ApiError
from apinode_admin_cli.emulator.keystore import resolve_admin_key
from apinode_admin_cli.emulator.routes import Router
from apinode_admin_cli.emulator.store import Store, now_ms


class Emulator:
    """State, counters, faults and journal behind one server."""

    admin_router = Router.merged(
        admin_services.router, admin_keys.router, admin_caches.router, metrics.router
    )
    public_router = Router.merged(user_api.router, faults.router, service_keys.router)

    def __init__(
        self,
        data_dir: Path,
        admin_key: Optional[str],
        latency_ms: float,
        log_stream: Any,
        dss_version: tuple[int, int] = parse_dss_version(DEFAULT_DSS_VERSION),
    ) -> None:
        self.data_dir = Path(data_dir)
        self.dss_version = dss_version
        self.dss_version_header = "{}.{}.0-emulator".format(*dss_version)
        self.faults = faults.Faults()
        self.journal = faults.Journal()
        self.error_rates = user_api.ErrorRates()
        self.latency_ms = latency_ms
        self._log_stream = log_stream
        self.log_file: Optional[IO[str]] = None  # DATA_DIR/run/apimain.log under serve
        self._log_lock = threading.Lock()
        self.store = Store(self.data_dir)
        try:  # whatever fails from here on, the data dir is not left locked
            self.store.keys.warn = self.log
            self.admin_key, self.key_source = resolve_admin_key(self.data_dir, admin_key)
            clear = dss_version < HASHED_KEYS_SINCE
            self.store.ensure_bootstrap_key(self.admin_key, clear=clear)
            self.metrics = metrics.Metrics(self.data_dir)
        except BaseException:
            self.store.close()
            raise

    def log(self, line: str) -> None:
        """Write one line to the log stream and the log file, if any."""
        text = line.rstrip("\n") + "\n"
        with self._log_lock:
            for stream in (self._log_stream, self.log_file):
                if stream is None:
                    continue
                try:
                    stream.write(text)
                    stream.flush()
                except (OSError, ValueError):
                    pass

    def authenticate(self, headers: dict[str, str]) -> dict[str, Any]:
        """The admin key record behind the request's Basic auth, else a 401."""
        value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        challenge = {"WWW-Authenticate": 'Basic realm="DSS API node admin"'}
        if not value:
            raise ApiError(
                401,
                "No API key: send the admin key as the HTTP Basic user name, empty password",
                headers=challenge,
            )
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "basic":
            # Not echoed: a bare key sent as the header value would land in the answer.
            raise ApiError(401, "Unsupported authentication scheme: use Basic", headers=challenge)
        try:
            credentials = base64.b64decode(token.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(401, "Malformed Basic authorization header", headers=challenge)
        record = None
        # Clients disagree on the charset of Basic credentials: curl sends the bytes it is
        # given (UTF-8 in practice), requests encodes them as Latin-1. A key is stored as a
        # hash of its text, so each reading of the bytes is tried: UTF-8 first.
        for charset in ("utf-8", "latin-1"):
            try:
                user = credentials.decode(charset).split(":")[0]
            except UnicodeDecodeError:
                continue
            record = self.store.find_key(user) if user else None
            if record is not None:
                break
        if record is None:
            raise ApiError(401, "Invalid API key", headers=challenge)
        expiry = record.get("expiry")
        if expiry is not None and expiry <= now_ms():
            try:
                moment = dt.datetime.fromtimestamp(expiry / 1000, dt.timezone.utc).isoformat()
            except (OverflowError, OSError, ValueError):
                moment = f"{expiry} (epoch ms)"
            raise ApiError(401, f"API key expired on {moment}", headers=challenge)
        return record
