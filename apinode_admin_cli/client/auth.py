"""APINodeAuth: the node's admin API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from apinode_admin_cli.client.failures import check_command
from apinode_admin_cli.client.result import REQUIRED, expect_field, expect_objects
from apinode_admin_cli.client.retry import GONE_MEANS_DONE
from apinode_admin_cli.client.urls import segment

if TYPE_CHECKING:
    from apinode_admin_cli.client.admin import APINodeAdminClient

_KEYS_CHECK = check_command("keys", "list")


class APINodeAuth:
    """A handle on the admin API keys of a node."""

    def __init__(self, client: APINodeAdminClient) -> None:
        self.client = client

    def list_keys(self) -> Any:
        """The admin keys (secrets absent on nodes that hash them)."""
        answer = self.client._call("GET", ("keys",), need=REQUIRED)
        return expect_objects(answer, "the list of keys")

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
        answer = self.client._call("POST", ("keys",), body=body, need=REQUIRED, check=_KEYS_CHECK)
        return expect_field(answer, "key", "the created key")

    def delete_key(self, key: str) -> Any:
        """Delete an admin key given its secret; a ``LostAnswer`` when deleted unseen."""
        secret = segment(key, "key")
        # The secret is in the URL: keep it out of logs and messages.
        return self.client._call(
            "DELETE",
            ("keys", secret),
            sensitive=(secret,),
            policy=GONE_MEANS_DONE,
            check=_KEYS_CHECK,
        )

    def delete_key_by_id(self, id: str) -> Any:
        """Delete an admin key given its id; a ``LostAnswer`` when deleted unseen."""
        path = ("keys", segment(id, "key id"), "key")
        return self.client._call("DELETE", path, policy=GONE_MEANS_DONE, check=_KEYS_CHECK)
