"""``state apply`` identifies an import's generation with the library's one rule (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest

from apinode_admin_cli.errors import ApinodeAdminError
from apinode_admin_cli.state.execute import _check_imported
from apinode_admin_cli.state.model import Change


class Listing:
    """A service whose generations listing is counted: the check must not read it needlessly."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.reads = 0

    def list_generations(self) -> list[dict[str, Any]]:
        self.reads += 1
        return [{"generationId": g} for g in self.ids]


IMPORT = Change("s", "import", generation="v1", path="/a/v1.zip")


def test_an_answer_naming_the_generation_needs_no_read() -> None:
    service = Listing(["v0"])
    _check_imported(service, IMPORT, {"generationId": "v1"})
    assert service.reads == 0


def test_an_answer_without_an_id_is_checked_against_one_listing() -> None:
    service = Listing(["v0", "v1"])
    _check_imported(service, IMPORT, {})
    assert service.reads == 1
    with pytest.raises(ApinodeAdminError, match="gave no generation 'v1'; the service has: v0"):
        _check_imported(Listing(["v0"]), IMPORT, None)


def test_an_answer_naming_another_generation_fails_unless_listed() -> None:
    with pytest.raises(ApinodeAdminError, match="the service has: other"):
        _check_imported(Listing(["other"]), IMPORT, {"generationId": "other"})
    _check_imported(Listing(["other", "v1"]), IMPORT, {"generationId": "other"})
