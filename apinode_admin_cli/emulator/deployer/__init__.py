"""The bundled API Deployer emulator: DSS's deployer public API over real API node emulators."""

from __future__ import annotations

from apinode_admin_cli.emulator.deployer.app import DeployerHandle, serve_deployer, start_deployer

__all__ = ["DeployerHandle", "serve_deployer", "start_deployer"]
