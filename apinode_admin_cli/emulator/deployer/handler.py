"""The deployer's request handler: the node emulator's pipeline, under the DSS API prefixes."""

from __future__ import annotations

from typing import Any

from apinode_admin_cli.emulator.errors import not_found
from apinode_admin_cli.emulator.handler import EmulatorHandler
from apinode_admin_cli.emulator.routes import Request, Response

# The official client speaks to /dip/publicapi, the REST documentation shows /public/api:
# both are served, identically.
PREFIXES = (["public", "api"], ["dip", "publicapi"])


class RawResponse(Response):
    """An answer that is not JSON: bytes with their content type (a version's archive)."""

    def __init__(self, data: bytes, content_type: str, headers: Any = None) -> None:
        super().__init__(200, data, dict(headers or {}))
        self.content_type = content_type


class DeployerHandler(EmulatorHandler):
    """Routes the public API (both prefixes) and the ``/__emulator__/`` control routes."""

    server_version = "apinode-deployer-emulator"

    def _dispatch(self, req: Request) -> Response:
        app = self.server.app
        segments = req.segments
        if segments and segments[0] == "__emulator__":
            app.authenticate(req.headers)
            handler, params = app.control_router.match(req.method, segments)
            return _as_response(handler(req, **params))
        for prefix in PREFIXES:
            if segments[: len(prefix)] == prefix:
                app.authenticate(req.headers)
                handler, params = app.router.match(req.method, segments[len(prefix) :])
                return _as_response(handler(req, **params))
        raise not_found(
            f"No such endpoint: {req.method} /{'/'.join(segments)} "
            "(the deployer answers under /public/api/ and /dip/publicapi/)"
        )

    def _send_json(self, response: Response, mid_body: bool = False) -> None:
        if isinstance(response, RawResponse):
            self._send(
                response.status, response.body, response.content_type, response.headers, True,
                mid_body,
            )  # fmt: skip
            return
        super()._send_json(response, mid_body)


def _as_response(result: Any) -> Response:
    return result if isinstance(result, Response) else Response(200, result)
