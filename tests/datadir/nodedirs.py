"""Node data dirs as Dataiku's installer lays them out, built by the tests themselves."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Optional

MakeDataDir = Callable[..., Path]


def lay_out(
    root: Path,
    base_port: Optional[int] = None,
    port: Optional[int] = None,
    keys: Optional[list[dict[str, Any]]] = None,
) -> Path:
    """``install.ini`` with the base port, ``bin/env-default.sh`` with the admin port."""
    (root / "bin").mkdir(parents=True, exist_ok=True)
    (root / "config").mkdir(exist_ok=True)
    ini = "[general]\nnodetype = api\n"
    if base_port is not None:
        ini += f"\n[server]\nport = {base_port}\n"
    (root / "install.ini").write_text(ini, encoding="utf-8")
    script = f'export DKU_LAMBDA_HOME="{root}"\n'
    if port is not None:
        script += f'export DKU_APIMAIN_PORT="{port}"\n'
    (root / "bin" / "env-default.sh").write_text(script, encoding="utf-8")
    if keys is not None:
        text = json.dumps({"keys": keys}, indent=4)
        (root / "config" / "adminkeys.json").write_text(text, encoding="utf-8")
    return root
