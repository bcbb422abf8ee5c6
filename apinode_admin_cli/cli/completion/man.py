"""``man``: the manual page, from the package itself.

A wheel also installs the page under ``{prefix}/share/man/man1``, but an editable install
(``pip install -e .``) does not, and pipx links it only from version 1.5. The package always
carries it, so the tool shows it itself, as ``git help -m`` does: through ``man`` on a terminal,
as troff source elsewhere (to save it on a ``MANPATH``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import click

from apinode_admin_cli.cli.app import App
from apinode_admin_cli.cli.common.options import pass_app
from apinode_admin_cli.errors import ApinodeAdminError

PAGE = "apinode-admin.1"


def page_path() -> str:
    """The page's file in the installed package (a real file: the package is not zipped)."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "data", PAGE)


@click.command("man")
@click.option("--path", "show_path", is_flag=True, help="Print the page's file name instead.")
@pass_app
def man(app: App, show_path: bool) -> None:
    """Show the manual page: through `man` on a terminal, its troff source elsewhere.

    Works in every kind of install, editable ones included, which do not install the page
    where `man apinode-admin` looks.

    \b
    Examples:
      apinode-admin man
      apinode-admin man > ~/.local/share/man/man1/apinode-admin.1
      man "$(apinode-admin man --path)"
    """
    path = page_path()
    if not os.path.isfile(path):
        raise ApinodeAdminError(f"the manual page is missing from the package: {path}")
    if show_path:
        app.term.echo(path)
        return
    viewer = shutil.which("man")
    if app.term.out_is_tty() and viewer is not None and sys.platform != "win32":
        # `man -l FILE` reads a file rather than searching MANPATH (man-db, mandoc, BSD man).
        code = subprocess.call([viewer, "-l", path])
        if code == 0:
            return
    with open(path, encoding="utf-8") as page:
        app.term.echo(page.read(), nl=False)
