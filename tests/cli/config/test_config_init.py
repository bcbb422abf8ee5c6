"""``config init``: non-interactively with flags, and through a pseudo-terminal with prompts."""

from __future__ import annotations

import os
import select
import socket
import stat
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from support.cli import RunCli, clean_env

from apinode_admin_cli.config import load_config


def closed_port_uri() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "conf" / "config.toml"


def test_init_with_key_file_stores_the_path(
    run_cli: RunCli, emulator: Any, config_path: Path, tmp_path: Path
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(emulator.admin_key + "\n")
    result = run_cli(
        "--config", str(config_path), "config", "init",
        "--uri", emulator.uri + "/", "--api-key-file", str(key_file),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "accepted the key" in result.stderr
    assert emulator.admin_key not in result.output
    assert mode(config_path) == 0o600
    profile = load_config(config_path)["profiles"]["default"]
    assert profile == {"uri": emulator.uri, "api_key_file": str(key_file)}


def test_init_from_stdin_then_commands_use_the_profile(
    run_cli: RunCli, emulator: Any, config_path: Path
) -> None:
    result = run_cli(
        "--config", str(config_path), "--profile", "lab", "config", "init",
        "--uri", emulator.uri, "--api-key-stdin",
        input=emulator.admin_key + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert emulator.admin_key not in result.output
    data = load_config(config_path)
    assert data["profiles"]["lab"] == {"uri": emulator.uri, "api_key": emulator.admin_key}
    assert data["default_profile"] == "lab"  # the first profile becomes the one used
    assert mode(config_path) == 0o600

    listed = run_cli("--config", str(config_path), "services", "list", "-o", "json")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip() == "[]"


def test_existing_profile_needs_force(run_cli: RunCli, emulator: Any, config_path: Path) -> None:
    args = ["--config", str(config_path), "config", "init", "--uri", emulator.uri]
    first = run_cli(*args, "--api-key-stdin", input=emulator.admin_key)
    assert first.exit_code == 0, first.output

    again = run_cli(*args, "--api-key-stdin", input=emulator.admin_key)
    assert again.exit_code == 2, again.output
    assert "--force" in again.stderr

    other = closed_port_uri()
    forced = run_cli(
        "--config", str(config_path), "config", "init", "--uri", other,
        "--api-key-stdin", "--no-verify", "--force", input="new-key\n",
    )  # fmt: skip
    assert forced.exit_code == 0, forced.output
    assert load_config(config_path)["profiles"]["default"] == {"uri": other, "api_key": "new-key"}


def test_refused_key_writes_nothing(run_cli: RunCli, emulator: Any, config_path: Path) -> None:
    result = run_cli(
        "--config", str(config_path), "config", "init", "--uri", emulator.uri,
        "--api-key-stdin", input="wrong-key\n",
    )  # fmt: skip
    assert result.exit_code == 4, result.output
    assert "refused the admin key" in result.stderr
    assert "--no-verify" in result.stderr
    assert "wrong-key" not in result.output
    assert not config_path.exists()


def test_unreachable_node_exits_7_unless_no_verify(run_cli: RunCli, config_path: Path) -> None:
    uri = closed_port_uri()
    args = ["--config", str(config_path), "config", "init", "--uri", uri, "--api-key-stdin"]
    result = run_cli(*args, input="k\n")
    assert result.exit_code == 7, result.output
    assert not config_path.exists()

    saved = run_cli(*args, "--no-verify", input="k\n")
    assert saved.exit_code == 0, saved.output
    assert load_config(config_path)["profiles"]["default"]["uri"] == uri


def test_missing_uri_or_key_off_a_terminal_is_usage(run_cli: RunCli, config_path: Path) -> None:
    no_uri = run_cli("--config", str(config_path), "config", "init", "--api-key-stdin", input="k")
    assert no_uri.exit_code == 2, no_uri.output
    assert "--uri" in no_uri.stderr

    no_key = run_cli("--config", str(config_path), "config", "init", "--uri", "http://h:1")
    assert no_key.exit_code == 2, no_key.output
    assert "--api-key-file" in no_key.stderr

    bad_uri = run_cli(
        "--config", str(config_path), "config", "init", "--uri", "ftp://h", "--api-key", "k"
    )
    assert bad_uri.exit_code == 2, bad_uri.output
    assert not config_path.exists()


# -- through a pseudo-terminal -----------------------------------------------------------------


class Terminal:
    """A child process on a pty; reads what it shows, answers prompts."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import pty

        pid, fd = pty.fork()
        if pid == 0:  # the child: become the CLI
            try:
                os.execve(sys.executable, [sys.executable, *argv], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.transcript = b""

    def expect(self, text: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.transcript:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out waiting for {text!r}; got {self.transcript!r}"
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    chunk = b""
                assert chunk, f"the terminal closed before {text!r}; got {self.transcript!r}"
                self.transcript += chunk

    def send(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def wait_for_no_echo(self, timeout: float = 15.0) -> None:
        """Wait until the program turned echo off: older click prints the prompt first."""
        import termios

        deadline = time.monotonic() + timeout
        while termios.tcgetattr(self.fd)[3] & termios.ECHO:
            assert time.monotonic() < deadline, "the key prompt never turned echo off"
            time.sleep(0.01)

    def wait(self) -> int:
        while True:  # drain, or the child may block on a full pty buffer
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.transcript += chunk
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_init_on_a_terminal_prompts_and_hides_the_key(
    emulator: Any, config_path: Path, tmp_path: Path
) -> None:
    env = clean_env(tmp_path / "xdg", NO_COLOR="1", TERM="dumb")
    argv = ["-m", "apinode_admin_cli", "--config", str(config_path), "config", "init"]
    term = Terminal(argv, env)
    term.expect("API node URI")
    term.send("not a url")
    term.expect("Invalid URI")
    term.expect("API node URI")
    term.send(emulator.uri)
    term.expect("Admin API key (input hidden)")
    term.wait_for_no_echo()
    term.send(emulator.admin_key)
    term.expect("Saved profile 'default'")
    code = term.wait()
    assert code == 0, term.transcript.decode(errors="replace")
    assert emulator.admin_key.encode() not in term.transcript  # typed without echo
    assert mode(config_path) == 0o600
    assert load_config(config_path)["profiles"]["default"] == {
        "uri": emulator.uri,
        "api_key": emulator.admin_key,
    }

    # A second run on a terminal asks before replacing; declining changes nothing.
    term = Terminal(argv, env)
    term.expect("Replace it?")
    term.send("n")
    code = term.wait()
    assert code == 1, term.transcript.decode(errors="replace")
    assert load_config(config_path)["profiles"]["default"]["api_key"] == emulator.admin_key
