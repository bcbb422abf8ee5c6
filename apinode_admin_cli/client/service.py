"""APINodeService: one service's lifecycle, generations and routing."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from apinode_admin_cli.client.failures import check_command
from apinode_admin_cli.client.result import (
    REQUIRED,
    expect,
    expect_field,
    expect_objects,
    expect_share,
)
from apinode_admin_cli.client.retry import GONE_MEANS_DONE
from apinode_admin_cli.client.urls import segment

if TYPE_CHECKING:
    from apinode_admin_cli.client.admin import APINodeAdminClient

_SERVICES_CHECK = check_command("services", "list")


class APINodeService:
    """A handle on one API service of a node."""

    def __init__(self, client: APINodeAdminClient, service_id: str) -> None:
        self.client = client
        self.service_id = service_id

    def __repr__(self) -> str:
        return f"APINodeService({self.service_id!r})"

    def _sid(self) -> str:
        return segment(self.service_id, "service id")

    def _generations_check(self) -> str:
        return check_command("generations", "list", self.service_id)

    def _action(self, *path: str, check: str, **kwargs: Any) -> Any:
        return self.client._call("POST", ("services", self._sid(), *path), check=check, **kwargs)

    def delete(self) -> Any:
        """Delete the service; a ``LostAnswer`` when a retry found it deleted unseen."""
        path = ("services", self._sid())
        return self.client._call("DELETE", path, policy=GONE_MEANS_DONE, check=_SERVICES_CHECK)

    def list_generations(self) -> Any:
        """The generations on the node's disk (the inner list of the answer)."""
        return self.get_generations()["generations"]

    def get_generations(self) -> Any:
        """The node's whole answer, ``{"generations": [...]}``, as received."""
        path = ("services", self._sid(), "generations")
        answer = self.client._call("GET", path, need=REQUIRED)
        expect(answer, dict, "the list of generations")
        rows = expect_objects(answer.get("generations"), "the 'generations' field", "generationId")
        for number, row in enumerate(rows, 1):
            expect_share(row, "mapped", f"item {number} of the 'generations' field")
        return answer

    def import_generation_from_archive(self, file_path: str) -> Any:
        """Import a generation from an archive path read on the node's own disk."""
        return self._action(
            "generations",
            "actions",
            "importFromArchive",
            params={"filePath": os.path.abspath(file_path)},
            check=self._generations_check(),
        )

    def preload_generation(self, generation: str) -> Any:
        """Load a generation in memory before it takes traffic."""
        gen = segment(generation, "generation id")
        return self._action("generations", gen, "preload", check=self._generations_check())

    def disable(self) -> Any:
        """Stop answering queries."""
        return self._action("actions", "disable", check=_SERVICES_CHECK)

    def enable(self) -> Any:
        """Answer queries again."""
        return self._action("actions", "enable", check=_SERVICES_CHECK)

    def set_generations_mapping(self, mapping: Any) -> Any:
        """Route traffic by a mapping; the node also enables the service."""
        return self._action("actions", "setMapping", body=mapping, check=self._generations_check())

    def switch_to_newest(self) -> Any:
        """Send all traffic to the newest generation; the answer names it."""
        answer = self._action(
            "actions", "switchToNewest", need=REQUIRED, check=self._generations_check()
        )
        return expect_field(answer, "switchedToGeneration", "the answer to switchToNewest")

    def switch_to_single_generation(self, generation: str) -> Any:
        """Send all traffic to one generation."""
        gen = segment(generation, "generation id")
        return self._action("actions", "switchTo", gen, check=self._generations_check())
