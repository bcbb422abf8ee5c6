"""What the ``config`` commands share: the file and the profile they edit."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional

from apinode_admin_cli.cli.app import App

# `config init` lives in its own module; it registers itself on this group.


def config_file(app: App) -> Path:
    """The config file this run reads: --config, APINODE_ADMIN_CONFIG, or the default path."""
    from apinode_admin_cli.config import locate_config

    return locate_config(app.flags, os.environ if app.env is None else app.env)[0]


def target_profile(app: App, path: Path) -> str:
    """The profile that `set`/`unset` write to: --profile, env, default_profile, else default."""
    from apinode_admin_cli.config import env_value, load_config

    named = app.flags.get("profile") or env_value("profile", app.env)
    if named:
        return str(named)
    default = load_config(path).get("default_profile")
    return str(default) if isinstance(default, str) and default else "default"


def _identity(path: Path) -> Optional[tuple[int, int, int]]:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino, found.st_mtime_ns)


def watch_comments(app: App) -> Callable[[], None]:
    """A check to run when the command ends: a rewrite that dropped comments says so.

    The tool writes the file back from its data (TOML has no round-trip writer in the
    standard library), so comments do not survive an edit: one line on stderr names the file
    instead of losing them without a word. A command that wrote nothing says nothing.
    """
    from apinode_admin_cli.config.files import has_comments
    from apinode_admin_cli.errors import ApinodeAdminError

    try:
        path = config_file(app)
    except ApinodeAdminError:
        return lambda: None
    target = Path(os.path.realpath(path))
    before = _identity(target)
    commented = before is not None and has_comments(target)

    def check() -> None:
        if commented and _identity(target) != before and not has_comments(target):
            app.term.warn(
                f"rewrote {path} without its comments (kept nowhere: edits rewrite the file)",
                always=True,
            )

    return check
