"""The bundled DSS API node emulator: a standard-library HTTP server for tests and rehearsals."""

from __future__ import annotations

from apinode_admin_cli.emulator.app import EmulatorHandle, serve_forever, start_emulator

__all__ = ["EmulatorHandle", "serve_forever", "start_emulator"]
