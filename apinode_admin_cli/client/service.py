"""APINodeService: one service's lifecycle, generations and routing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from apinode_admin_cli.client.result import expect
from apinode_admin_cli.client.urls import segment

if TYPE_CHECKING:
    from apinode_admin_cli.client.admin import APINodeAdminClient


class APINodeService:
    """A handle on one API service of a node."""

    def __init__(self, client: APINodeAdminClient, service_id: str) -> None:
        self.client = client
        self.service_id = service_id

    def __repr__(self) -> str:
        return f"APINodeService({self.service_id!r})"

    def _sid(self) -> str:
        return segment(self.service_id, "service id")

    def delete(self) -> Any:
        """Delete the service."""
        return self.client._call("DELETE", ("services", self._sid()))

    def list_generations(self) -> Any:
        """The generations on the node's disk (the inner list of the answer)."""
        return self.get_generations()["generations"]

    def get_generations(self) -> Any:
        """The node's whole answer, ``{"generations": [...]}``, as received."""
        answer = self.client._call("GET", ("services", self._sid(), "generations"), required=True)
        expect(answer, dict, "list of generations")
        expect(answer.get("generations"), list, "'generations' field")
        return answer

    def import_generation_from_archive(self, file_path: str) -> Any:
        """Import a generation from an archive path read on the node's own disk."""
        path = ("services", self._sid(), "generations", "actions", "importFromArchive")
        return self.client._call("POST", path, params={"filePath": os.path.abspath(file_path)})

    def preload_generation(self, generation: str) -> Any:
        """Load a generation in memory before it takes traffic."""
        gen = segment(generation, "generation id")
        return self.client._call("POST", ("services", self._sid(), "generations", gen, "preload"))

    def disable(self) -> Any:
        """Stop answering queries."""
        return self.client._call("POST", ("services", self._sid(), "actions", "disable"))

    def enable(self) -> Any:
        """Answer queries again."""
        return self.client._call("POST", ("services", self._sid(), "actions", "enable"))

    def set_generations_mapping(self, mapping: Any) -> Any:
        """Route traffic by a mapping; the node also enables the service."""
        path = ("services", self._sid(), "actions", "setMapping")
        return self.client._call("POST", path, body=mapping)

    def switch_to_newest(self) -> Any:
        """Send all traffic to the newest generation; returns the node's answer."""
        return self.client._call("POST", ("services", self._sid(), "actions", "switchToNewest"))

    def switch_to_single_generation(self, generation: str) -> Any:
        """Send all traffic to one generation."""
        gen = segment(generation, "generation id")
        return self.client._call("POST", ("services", self._sid(), "actions", "switchTo", gen))
