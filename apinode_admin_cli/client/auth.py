"""APINodeAuth: the node's admin API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.client.result import expect
from apinode_admin_cli.client.urls import segment

if TYPE_CHECKING:
    from apinode_admin_cli.client.admin import APINodeAdminClient


class APINodeAuth:
    """A handle on the admin API keys of a node."""

    def __init__(self, client: APINodeAdminClient) -> None:
        self.client = client

    def list_keys(self) -> Any:
        """The admin keys (secrets absent on nodes that hash them)."""
        return expect(self.client._call("GET", ("keys",), required=True), list, "list of keys")

    def add_key(
        self,
        label: Optional[str] = None,
        description: Optional[str] = None,
        created_by: Optional[str] = None,
        expiry: Any = None,
    ) -> Any:
        """Create an admin key and return it, secret included."""
        body = {
            "label": label,
            "description": description,
            "createdBy": created_by,
            "expiry": expiry,
        }
        return self.client._call("POST", ("keys",), body=body, required=True)

    def delete_key(self, key: str) -> Any:
        """Delete an admin key given its secret."""
        secret = segment(key, "key")
        # The secret is in the URL: keep it out of logs and messages.
        return self.client._call("DELETE", ("keys", secret), sensitive=(secret,))

    def delete_key_by_id(self, id: str) -> Any:
        """Delete an admin key given its id."""
        return self.client._call("DELETE", ("keys", segment(id, "key id"), "key"))
