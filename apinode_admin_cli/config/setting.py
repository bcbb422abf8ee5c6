"""What one setting is: its name and kind and every way to give it (see ``schema.py``)."""

from __future__ import annotations

from typing import Any, Optional

ENV_PREFIX = "APINODE_ADMIN_"
_AUTO = "auto"


class Setting:
    """One setting and every way to give it.

    A plain class rather than a dataclass or NamedTuple: it is built on every run, and those
    cost start-up time to create.
    """

    __slots__ = (
        "choices",
        "complete",
        "default",
        "doc",
        "env_name",
        "env_presence",
        "flag",
        "help",
        "in_profile",
        "kind",
        "maximum",
        "metavar",
        "name",
        "short",
        "transport",
    )

    def __init__(
        self,
        name: str,
        help: str,
        *,
        kind: str = "text",
        default: Any = None,
        metavar: Optional[str] = None,
        choices: tuple[str, ...] = (),
        env_name: Optional[str] = _AUTO,
        flag: bool = True,
        short: Optional[str] = None,
        in_profile: bool = True,
        env_presence: bool = False,
        transport: Optional[str] = None,
        doc: Optional[str] = None,
        maximum: Optional[float] = None,
        complete: Optional[str] = None,
    ) -> None:
        self.name = name
        self.help = help
        self.kind = kind
        self.default = default
        self.metavar = metavar
        self.choices = choices
        # The environment variable: derived from the name unless given; None for none.
        self.env_name = env_name
        # A global option `--name-with-dashes` (and this short form); False: none.
        self.flag = flag
        self.short = short
        # May be set in a `[profiles.NAME]` table (and with `config set`).
        self.in_profile = in_profile
        # Any value of the variable, even empty, means true (NO_COLOR's convention).
        self.env_presence = env_presence
        # The client option this setting feeds, if any.
        self.transport = transport
        # The longer meaning shown in the README and man page (default: ``help``).
        self.doc = doc
        # The largest value of a number (default: the kind's bound).
        self.maximum = maximum
        # Which live completion the option offers (cli/common/completers.py), if any.
        self.complete = complete

    def __repr__(self) -> str:
        return f"Setting({self.name!r})"

    @property
    def env(self) -> Optional[str]:
        """The environment variable, if the setting has one."""
        if self.env_name == _AUTO:
            return ENV_PREFIX + self.name.upper()
        return self.env_name

    @property
    def option(self) -> str:
        """The long option: ``api_key_file`` -> ``--api-key-file``."""
        return "--" + self.name.replace("_", "-")

    @property
    def secret(self) -> bool:
        return self.kind == "secret"

    @property
    def is_path(self) -> bool:
        return self.kind == "path"

    @property
    def toml_type(self) -> str:
        """What a config file must write: the TOML type, in words."""
        return {"bool": "a boolean", "seconds": "a number", "count": "an integer"}.get(
            self.kind, "a string"
        )


__all__ = ["ENV_PREFIX", "Setting"]
