"""One column of a table: where its value lives in a record, its header, how to show it."""

from __future__ import annotations

from typing import Any


class Column:
    """One column: where its value lives in a record, its header, and how to show it.

    A plain class (not a NamedTuple or dataclass): every command builds its columns at
    start-up, where creating those classes costs more than the command's own work.
    """

    __slots__ = ("key", "kind", "title")

    def __init__(self, key: str, title: str, kind: str = "text") -> None:
        self.key = key
        self.title = title
        self.kind = kind

    def _fields(self) -> tuple[str, str, str]:
        return (self.key, self.title, self.kind)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Column) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Column({self.key!r}, {self.title!r}, {self.kind!r})"


__all__ = ["Column"]
