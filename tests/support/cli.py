"""Helpers shared by every test folder (a plain module: conftest is not importable by name)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

from click.testing import CliRunner, Result

RunCli = Callable[..., Result]
RunProc = Callable[..., "subprocess.CompletedProcess[str]"]
ROOT = Path(__file__).resolve().parents[1]

# Whatever the developer exports must not reach a test.
ISOLATE_PREFIXES = ("APINODE_ADMIN_", "APINODE_EMULATOR_")
ISOLATE = (
    "NO_COLOR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    # Dataiku's wrapper exports these on a node: they name a data dir to the tool.
    "DKU_LAMBDA_HOME",
    "DKU_APIMAIN_PORT",
)


def clean_env(config_home: Path, **extra: str) -> dict[str, str]:
    """The current environment minus every setting of the tool, with its own config home."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(ISOLATE_PREFIXES) and k.upper() not in ISOLATE
    }
    env["XDG_CONFIG_HOME"] = str(config_home)
    env["NO_PROXY"] = env["no_proxy"] = "*"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    """The argv of a real ``apinode-admin`` process."""
    return [sys.executable, "-m", "apinode_admin_cli", *args]


def connected(run_cli: RunCli, uri: str, key: str) -> RunCli:
    """``run_cli`` given the node's URI and admin key through the environment."""

    def run(*args: str, input: Any = None, env: Any = None) -> Result:
        full = {"APINODE_ADMIN_URI": uri, "APINODE_ADMIN_API_KEY": key, **(env or {})}
        return run_cli(*args, input=input, env=full)

    return run


def make_runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout (the default from click 8.2 on)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def check(result: Result, code: int = 0) -> None:
    """The exit code first, with both streams in the message when it is not the expected one."""
    assert result.exit_code == code, (
        f"exit {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    )


def free_port() -> int:
    """A loopback port that was free a moment ago: nothing listens there until a test does."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port_uri() -> str:
    """A loopback URI where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


def default_sigint() -> None:
    """``preexec_fn`` for a child that must feel Ctrl-C even when the suite ignores it.

    A shell starts background jobs with SIGINT ignored, and children inherit that: without
    this, a test sending SIGINT to its child would see nothing happen.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_cli(*args: str, env: dict[str, str], **popen: Any) -> subprocess.Popen:
    """A running ``apinode-admin ARGS`` with piped stdout and stderr, that feels Ctrl-C."""
    return subprocess.Popen(
        cli_command(*args),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=default_sigint,  # noqa: PLW1509 (only a signal disposition is set)
        **popen,
    )


def complete(
    line: str, *, env: dict[str, str], shell: str = "bash"
) -> subprocess.CompletedProcess[str]:
    """What the shell would get for ``line`` (a trailing space means a new, empty word)."""
    words = line.split(" ")
    full_env = dict(env)
    # fish passes the words before the cursor and the incomplete word itself
    cword = words[-1] if shell == "fish" else str(len(words) - 1)
    comp_words = " ".join(words[:-1]) if shell == "fish" else line
    full_env.update(
        {
            "_APINODE_ADMIN_COMPLETE": f"{shell}_complete",
            "COMP_WORDS": comp_words,
            "COMP_CWORD": cword,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "apinode_admin_cli"],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=ROOT,
    )


def fenced_blocks(page: Path) -> list[tuple[str, str]]:
    """Every fenced block of a Markdown page: ``(language, text)`` in page order.

    A block inside a list item loses the item's indentation, as a reader copying it would.
    """
    import re

    found: list[tuple[str, str]] = []
    language, indent, body = None, "", []
    for line in page.read_text(encoding="utf-8").splitlines(keepends=True):
        fence = re.match(r"( *)```(\w*)\s*$", line)
        if fence and language is None:
            language, indent, body = fence.group(2), fence.group(1), []
        elif fence and language is not None:
            found.append((language, "".join(body)))
            language = None
        elif language is not None:
            body.append(line[len(indent) :] if line.startswith(indent) else line)
    return found


def guide_script(doc: str, heading: str) -> str:
    """The ```sh blocks of section ``heading`` of docs/``doc``, joined: a walkthrough's session."""
    text = (Path(__file__).resolve().parents[2] / "docs" / doc).read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    end = section.find("\n## ", 4)
    section = section if end < 0 else section[:end]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, flags=re.S))


def run_bash_session(
    script: str, cwd: Path, ports: tuple[str, ...] = (), timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run a guide's shell session as a reader's bash would, in one shell, ``bash -e``.

    The only change to the text: each port number of ``ports`` becomes a free port. The
    console script of this interpreter's environment is on PATH, the tool's settings are
    cleared, and whatever the session starts in the background is killed when it ends.
    """
    import subprocess
    import sys

    for port in ports:
        assert port in script, f"the session no longer uses port {port}"
        script = script.replace(port, str(free_port()))
    env = clean_env(cwd / "unused-config-home")
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    script = "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n" + script
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
