"""A node's data dir: finding it, and the local URI it gives (as Dataiku's own tool does).

On the node itself, Dataiku's ``DATA_DIR/bin/apinode-admin`` needs no settings: its wrapper
exports ``DKU_LAMBDA_HOME`` (the data dir) and ``DKU_APIMAIN_PORT``, and the tool talks to
``http://127.0.0.1:PORT`` with a key it keeps in ``DATA_DIR/config/adminkeys.json``. This
module finds the data dir and the port the same way; ``adminkeys.py`` owns the key.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Mapping, Optional

from apinode_admin_cli.errors import ConfigError

LAMBDA_HOME = "DKU_LAMBDA_HOME"
PORT_VARIABLE = "DKU_APIMAIN_PORT"
NOT_ALIVE_FILE = "apinode-not-alive.txt"
# `export DKU_APIMAIN_PORT="12001"` as Dataiku's installer writes it (quotes optional).
_EXPORT = re.compile(
    r"""^\s*(?:export\s+)?DKU_APIMAIN_PORT=(["']?)(\d{1,5})\1\s*(?:#.*)?$""", re.MULTILINE
)
# A symlink chain longer than this is a loop, not an installation.
_MAX_HOPS = 40


def is_data_dir(path: Path) -> bool:
    """Whether ``path`` looks like a node's data dir (Dataiku's installer writes both files)."""
    return (path / "install.ini").is_file() or (path / "bin" / "env-default.sh").is_file()


def data_dir_of_program(argv0: str) -> Optional[Path]:
    """The data dir when the tool was started as ``DATA_DIR/bin/apinode-admin``, else None.

    Each hop of a symlink chain counts: ``/usr/local/bin/node1-admin`` linking to
    ``DATA_DIR/bin/apinode-admin``, itself a link to the installed tool, names that data dir.
    The tool's own installed path (a virtualenv's ``bin``) holds neither marker file.
    """
    if not argv0 or os.sep not in argv0 and not (os.altsep and os.altsep in argv0):
        return None  # found on PATH without a directory: nothing to go on
    path = Path(os.path.abspath(argv0))
    for _ in range(_MAX_HOPS):
        if path.parent.name == "bin" and is_data_dir(path.parent.parent):
            return path.parent.parent
        if not path.is_symlink():
            return None
        try:
            target = os.readlink(path)
        except OSError:
            return None
        path = Path(os.path.abspath(os.path.join(path.parent, target)))
    return None


def locate_data_dir(
    given: Optional[tuple[str, str]], env: Mapping[str, str], argv0: Optional[str]
) -> Optional[tuple[Path, str]]:
    """The data dir and where it came from: the setting, Dataiku's variable, or the program.

    ``given`` is the ``data_dir`` setting with its source (flag, variable or profile);
    ``argv0`` is None where the program's path must not count (one node of a fleet).
    """
    if given is not None:
        return Path(given[0]).expanduser(), given[1]
    home = env.get(LAMBDA_HOME)
    if home:
        return Path(home).expanduser(), f"env {LAMBDA_HOME}"
    if argv0 is not None:
        found = data_dir_of_program(argv0)
        if found is not None:
            return found, f"program {argv0}"
    return None


def local_port(data_dir: Path, env: Mapping[str, str]) -> tuple[int, str]:
    """The admin port of the node owning ``data_dir``, and where it was read.

    ``DKU_APIMAIN_PORT`` counts only next to a ``DKU_LAMBDA_HOME`` naming this same data dir
    (Dataiku's wrapper sets both); then ``bin/env-default.sh`` and ``bin/env-site.sh`` (the
    wrapper sources both, the later wins); then the base port in ``install.ini`` plus one,
    as the installer derives it.
    """
    from_env = env.get(PORT_VARIABLE, "").strip()
    if from_env and _same_dir(env.get(LAMBDA_HOME), data_dir):
        return _port(from_env, f"env {PORT_VARIABLE}"), f"env {PORT_VARIABLE}"
    found: Optional[tuple[int, str]] = None
    for name in ("env-default.sh", "env-site.sh"):
        script = data_dir / "bin" / name
        text = _read(script)
        matches = _EXPORT.findall(text) if text is not None else []
        if matches:
            found = _port(matches[-1][1], str(script)), f"{script}"
    if found is not None:
        return found
    return _port_from_install_ini(data_dir)


def local_uri(data_dir: Path, env: Mapping[str, str]) -> tuple[str, str]:
    """``http://127.0.0.1:PORT`` for the node owning ``data_dir``, and the port's source."""
    port, source = local_port(data_dir, env)
    return f"http://127.0.0.1:{port}", source


def _port_from_install_ini(data_dir: Path) -> tuple[int, str]:
    import configparser

    ini = data_dir / "install.ini"
    parser = configparser.RawConfigParser()
    try:
        parser.read(ini, encoding="utf-8")
        base = parser.get("server", "port", fallback=None)
    except (configparser.Error, UnicodeDecodeError, OSError) as exc:
        raise ConfigError(f"cannot read {ini}: {exc}".splitlines()[0])
    if base is None:
        raise ConfigError(
            f"data dir {data_dir} gives no port: bin/env-default.sh exports no "
            f"{PORT_VARIABLE} and install.ini has no [server] port",
            hint="pass --uri http://127.0.0.1:PORT, or check the data dir path",
        )
    where = f"{ini} [server] port"
    # The installer gives the admin API the port after the base one.
    return _port(str(_port(base, where) + 1), where), f"{ini}"


def _port(text: str, where: str) -> int:
    try:
        port = int(text.strip())
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ConfigError(f"invalid port {text.strip()[:20]!r} in {where}")
    return port


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _same_dir(named: Optional[str], data_dir: Path) -> bool:
    if not named:
        return False
    try:
        return os.path.samefile(os.path.expanduser(named), data_dir)
    except OSError:
        return False


__all__ = [
    "LAMBDA_HOME",
    "NOT_ALIVE_FILE",
    "PORT_VARIABLE",
    "data_dir_of_program",
    "is_data_dir",
    "local_port",
    "local_uri",
    "locate_data_dir",
]
