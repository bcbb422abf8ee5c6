"""Ids that need quoting are offered quoted where the shell needs it, and quoted in hints."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from support.cli import RunCli, check, clean_env

from apinode_admin_cli.client import APINodeAdminClient

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def node_env(emulator: Any, tmp_path: Path) -> dict[str, str]:
    with APINodeAdminClient(emulator.uri, emulator.admin_key) as client:
        for sid in ("my service", "my other", "churn"):
            client.create_service(sid)
    return clean_env(
        tmp_path / "xdg", APINODE_ADMIN_URI=emulator.uri, APINODE_ADMIN_API_KEY=emulator.admin_key
    )


def offers(shell: str, words: list[str], env: dict[str, str]) -> list[str]:
    """The values the completion protocol answers, for the last word of ``words`` (as typed)."""
    full = dict(env, _APINODE_ADMIN_COMPLETE=f"{shell}_complete")
    if shell == "fish":
        full.update(COMP_WORDS=" ".join(words), COMP_CWORD=words[-1])
    else:
        full.update(COMP_WORDS=" ".join(words), COMP_CWORD=str(len(words) - 1))
    proc = subprocess.run(
        [sys.executable, "-m", "apinode_admin_cli"],
        env=full,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    if shell == "zsh":  # type, value, help: three lines per offer
        lines = proc.stdout.splitlines()
        return [lines[i + 1] for i in range(0, len(lines), 3)]
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines()]


def test_bash_gets_quoted_ids(node_env: dict[str, str]) -> None:
    line = ["apinode-admin", "services", "describe"]
    assert offers("bash", [*line, "my"], node_env) == ["'my other'", "'my service'"]
    assert offers("bash", [*line, "my\\ s"], node_env) == ["'my service'"]
    assert offers("bash", [*line, "ch"], node_env) == ["churn"]


def test_bash_inside_an_opened_quote_gets_them_as_they_are(node_env: dict[str, str]) -> None:
    line = ["apinode-admin", "services", "describe"]
    assert offers("bash", [*line, "'my s"], node_env) == ["my service"]
    assert offers("bash", [*line, '"my s'], node_env) == ["my service"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_quote_what_they_insert(node_env: dict[str, str], shell: str) -> None:
    assert offers(shell, ["apinode-admin", "services", "describe", "my"], node_env) == [
        "my other",
        "my service",
    ]


def test_generation_ids_of_a_quoted_service(
    node_env: dict[str, str], emulator: Any, make_archive: Callable[..., Path]
) -> None:
    with APINodeAdminClient(emulator.uri, emulator.admin_key) as client:
        client.service("my service").import_generation_from_archive(str(make_archive("v1")))
    words = ["apinode-admin", "services", "switch-to", "'my service'", ""]
    assert offers("bash", words, node_env) == ["v1"]


def test_hints_quote_ids(node_cli: RunCli, make_archive: Callable[..., Path]) -> None:
    result = node_cli("services", "create", "my service")
    check(result)
    assert "Next: apinode-admin generations import 'my service' ARCHIVE" in result.stderr
    result = node_cli("generations", "import", "my service", str(make_archive("v1")))
    check(result)
    assert "apinode-admin services switch-to 'my service' v1" in result.stderr
    result = node_cli("predict", "my service", "score", "a=1")
    check(result, 7)
    assert "apinode-admin services enable 'my service'" in result.stderr


def _typed_words(line: str, env: dict[str, str]) -> list[str]:
    """Type ``line`` and Tab in an interactive bash with the completion loaded; the words run.

    The completed line is turned into `printf '<%s>\\n' WORDS` (Ctrl-A, then the prefix), so
    what comes back is how bash itself splits the completed line into words.
    """
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        ["bash", "--norc", "--noprofile", "-i"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""

    def until(marker: bytes, timeout: float = 20) -> bytes:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while not re.search(marker, seen) and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        found, seen = seen, b""
        return found

    try:
        # Written so that the echo of these lines never looks like the prompt itself.
        os.write(master, b"PS1='RE''ADY> '; bind 'set bell-style none'\n")
        until(rb"READY> ")
        os.write(master, f"source {ROOT / 'completions' / 'apinode-admin.bash'}\n".encode())
        until(rb"READY> ")
        os.write(master, line.encode() + b"\t")
        until(rb"service['\"] ")  # the completion ends with its closing quote and a space
        os.write(master, b"\x01printf '<%s>\\n' \r")
        shown = until(rb">\r\n(\x1b\[\?2004h)?READY> ")
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    return [
        text[1:-1]
        for text in shown.decode("utf-8", "replace").splitlines()
        if text.startswith("<") and text.endswith(">")
    ]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("typed", ["my\\ s", "'my s", '"my s'])
def test_real_bash_completes_an_id_with_a_space_into_one_word(
    node_env: dict[str, str], typed: str
) -> None:
    env = dict(node_env, PATH=os.path.dirname(sys.executable) + os.pathsep + node_env["PATH"])
    env.pop("PYTHONUNBUFFERED", None)
    words = _typed_words(f"apinode-admin services describe {typed}", env)
    assert words == ["apinode-admin", "services", "describe", "my service"]
